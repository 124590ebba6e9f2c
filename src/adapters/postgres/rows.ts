import type { CodecRegistry } from "../../core/codec.js";
import { SerializationError } from "../../core/errors.js";
import type { EventMetadata, RecordedEvent } from "../../core/event.js";
import { toPosition } from "./positions.js";

/** The columns every event query selects, from `events e`. */
export const EVENT_COLUMNS = `e.position::text AS position, e.transaction_id::text AS xid, e.stream_id, e.revision::text AS revision,
  e.event_id::text AS event_id, e.type, e.content_type, e.schema_version, e.data, e.metadata, e.created_at`;

export interface EventRow {
  position: string;
  xid: string;
  stream_id: string;
  revision: string;
  event_id: string;
  type: string;
  content_type: string;
  schema_version: number;
  data: Uint8Array;
  metadata: EventMetadata;
  created_at: Date;
}

export function toRecordedEvent(row: EventRow, epoch: bigint, codecs: CodecRegistry): RecordedEvent {
  let data: unknown;
  try {
    data = codecs.get(row.content_type).decode(row.data);
  } catch (cause) {
    throw new SerializationError(
      `Event ${row.event_id} in "${row.stream_id}" cannot be decoded as ${row.content_type}`,
      row.content_type,
      { cause },
    );
  }
  return {
    streamId: row.stream_id,
    revision: BigInt(row.revision),
    position: toPosition(epoch, BigInt(row.xid), BigInt(row.position)),
    id: row.event_id,
    type: row.type,
    data,
    metadata: row.metadata,
    contentType: row.content_type,
    schemaVersion: row.schema_version,
    createdAt: row.created_at,
  };
}
