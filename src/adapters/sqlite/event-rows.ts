import type { CodecRegistry } from "../../core/codec.js";
import { SerializationError } from "../../core/errors.js";
import type { EventMetadata, RecordedEvent } from "../../core/event.js";
import type { StorePositions } from "./positions.js";

/** The columns every event query selects, in `EventRow`'s shape. */
export const EVENT_COLUMNS =
  "position, stream, revision, event_id, type, content_type, schema_version, data, metadata, created_at";

export interface EventRow {
  readonly position: number;
  readonly stream: string;
  readonly revision: number;
  readonly event_id: string;
  readonly type: string;
  readonly content_type: string;
  readonly schema_version: number;
  readonly data: Uint8Array;
  readonly metadata: string;
  readonly created_at: number;
}

/** Turns stored rows into RecordedEvents, decoding data through the codecs. */
export class EventDecoder {
  constructor(
    private readonly codecs: CodecRegistry,
    readonly positions: StorePositions,
  ) {}

  decode(row: EventRow): RecordedEvent {
    let data: unknown;
    try {
      // A plain Uint8Array view: better-sqlite3 hands out Buffers, which compare unlike the bytes appended.
      data = this.codecs.get(row.content_type).decode(new Uint8Array(row.data.buffer, row.data.byteOffset, row.data.byteLength));
    } catch (cause) {
      throw new SerializationError(`Event ${row.event_id} in "${row.stream}" cannot be decoded as ${row.content_type}`, row.content_type, {
        cause,
      });
    }
    return {
      streamId: row.stream,
      revision: BigInt(row.revision),
      position: this.positions.of(row.position),
      id: row.event_id,
      type: row.type,
      data,
      metadata: row.metadata === "{}" ? {} : (JSON.parse(row.metadata) as EventMetadata),
      contentType: row.content_type,
      schemaVersion: row.schema_version,
      createdAt: new Date(row.created_at),
    };
  }
}

/** SQLite integers are 64-bit and this adapter reads them as JS numbers: larger bigints mean "beyond anything stored". */
export function clampToSafe(value: bigint): number {
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
}
