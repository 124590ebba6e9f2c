import type { CodecRegistry } from "../../core/codec.js";
import { SerializationError } from "../../core/errors.js";
import type { EventMetadata, RecordedEvent } from "../../core/event.js";
import type { StorePositions } from "./positions.js";

/** The columns every event query selects, in `EventRow`'s order. */
export const EVENT_COLUMNS =
  "position, stream, revision, event_id, type, content_type, schema_version, data, metadata, created_at";

/**
 * A row of EVENT_COLUMNS as better-sqlite3's raw mode returns it: an array, which costs less than
 * an object with ten named properties per event on long reads.
 */
export type EventRow = readonly [
  position: number,
  stream: string,
  revision: number,
  eventId: string,
  type: string,
  contentType: string,
  schemaVersion: number,
  data: Uint8Array,
  metadata: string,
  createdAt: number,
];

export const POSITION = 0;
export const REVISION = 2;

/** Turns stored rows into RecordedEvents, decoding data through the codecs. */
export class EventDecoder {
  constructor(
    private readonly codecs: CodecRegistry,
    readonly positions: StorePositions,
  ) {}

  decode(row: EventRow): RecordedEvent {
    const [position, stream, revision, id, type, contentType, schemaVersion, bytes, metadata, createdAt] = row;
    let data: unknown;
    try {
      // A plain Uint8Array view: better-sqlite3 hands out Buffers, which compare unlike the bytes appended.
      data = this.codecs.get(contentType).decode(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } catch (cause) {
      throw new SerializationError(`Event ${id} in "${stream}" cannot be decoded as ${contentType}`, contentType, { cause });
    }
    return {
      streamId: stream,
      revision: BigInt(revision),
      position: this.positions.of(position),
      id,
      type,
      data,
      metadata: metadata === "{}" ? {} : (JSON.parse(metadata) as EventMetadata),
      contentType,
      schemaVersion,
      createdAt: new Date(createdAt),
    };
  }
}

/** SQLite integers are 64-bit and this adapter reads them as JS numbers: larger bigints mean "beyond anything stored". */
export function clampToSafe(value: bigint): number {
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
}
