import type { CodecRegistry } from "../../core/codec.js";
import { SerializationError } from "../../core/errors.js";
import type { EventMetadata, RecordedEvent } from "../../core/event.js";
import { Position } from "../../core/position.js";
import type { PreparedEvent } from "../../core/prepare.js";
import { mimeToString, tryParseMime, MIME } from "./mime.js";
import { decodeEvent, encodeEvent, fromTimestamp, toTimestamp } from "./wire/codec.js";
import type { EventWrapper, Timestamp } from "./wire/messages.js";

export const ENSIGN_BACKEND = "ensign";

/** Reserved Event.metadata keys: how a switchyard event is carried in an Ensign event. */
export const META_STREAM = "switchyard.stream";
/** Reserved Ensign metadata key: our event id. */
export const META_ID = "switchyard.id";
/** Reserved Ensign metadata key: our event metadata as JSON. */
export const META_METADATA = "switchyard.metadata";
/** Reserved Ensign metadata key: our content type where the MIME enum has no exact value. */
export const META_CONTENT_TYPE = "switchyard.contentType";

/**
 * A prepared event as a serialized Ensign Event: data as-is, the content type as the MIME enum
 * (the exact string too when the enum cannot say it), the type as `Type.name` with the schema
 * version as major version, and the stream id, event id and our metadata in reserved keys. Its
 * size is what the server's per-event limit counts (core checks it through the driver's
 * `appendSizeOf`).
 */
export function toEnsignEventBytes(stream: string, event: PreparedEvent, created: Timestamp = toTimestamp(new Date())): Uint8Array {
  const mime = mimeFor(event.contentType);
  const metadata: Record<string, string> = { [META_STREAM]: stream, [META_ID]: event.id };
  if (hasKeys(event.metadata)) metadata[META_METADATA] = JSON.stringify(event.metadata);
  if (!mime.exact) metadata[META_CONTENT_TYPE] = event.contentType;
  return encodeEvent({
    data: event.data,
    metadata,
    mimetype: mime.value,
    type: { name: event.type, major_version: event.schemaVersion, minor_version: 0, patch_version: 0 },
    created,
  });
}

interface MimeMapping {
  readonly value: number;
  /** The enum says the content type exactly (no reserved key needed). */
  readonly exact: boolean;
}

/** Content type → MIME enum, memoised: an application uses a handful of content types. */
const mimeMappings = new Map<string, MimeMapping>();

function mimeFor(contentType: string): MimeMapping {
  let mapping = mimeMappings.get(contentType);
  if (!mapping) {
    const mime = tryParseMime(contentType);
    mapping = { value: mime ?? MIME.APPLICATION_OCTET_STREAM, exact: mime !== undefined && mimeToString(mime) === contentType };
    if (mimeMappings.size < 1024) mimeMappings.set(contentType, mapping);
  }
  return mapping;
}

function hasKeys(object: object): boolean {
  for (const _ in object) return true;
  return false;
}

/** One of our events as found in a topic, before its revision is known. */
export interface TopicEntry {
  /** Position of the row in the topic (EnSQL OFFSET counting). */
  readonly offset: bigint;
  readonly streamId: string;
  readonly id: string;
  readonly type: string;
  readonly contentType: string;
  readonly schemaVersion: number;
  readonly data: Uint8Array;
  readonly metadata: EventMetadata;
  readonly createdAt: Date;
}

/** Reads one EnSQL row; undefined for events that other Ensign clients published (no reserved keys). */
export function fromEnsignWrapper(wrapper: EventWrapper, offset: bigint): TopicEntry | undefined {
  const event = decodeEvent(wrapper.event);
  const streamId = event.metadata[META_STREAM];
  const id = event.metadata[META_ID];
  if (streamId === undefined || id === undefined) return undefined;
  let metadata: EventMetadata = {};
  const json = event.metadata[META_METADATA];
  if (json !== undefined) {
    try {
      metadata = JSON.parse(json) as EventMetadata;
    } catch (cause) {
      throw new SerializationError(`Event ${id} of "${streamId}" has unreadable metadata`, "application/json", { cause });
    }
  }
  const contentType = event.metadata[META_CONTENT_TYPE] ?? mimeToStringOr(event.mimetype);
  return {
    offset,
    streamId,
    id,
    type: event.type?.name ?? "",
    contentType,
    schemaVersion: Math.max(1, event.type?.major_version ?? 1),
    data: event.data,
    metadata,
    createdAt: wrapper.committed ? fromTimestamp(wrapper.committed) : event.created ? fromTimestamp(event.created) : new Date(0),
  };
}

function mimeToStringOr(value: number): string {
  try {
    return mimeToString(value);
  } catch {
    return "application/octet-stream";
  }
}

export function positionOf(offset: bigint): Position {
  return new Position(ENSIGN_BACKEND, [offset]);
}

export function toRecordedEvent(entry: TopicEntry, revision: bigint, codecs: CodecRegistry): RecordedEvent {
  let data: unknown;
  try {
    data = codecs.get(entry.contentType).decode(entry.data);
  } catch (error) {
    if (error instanceof SerializationError) throw new SerializationError(`Event ${entry.id} of "${entry.streamId}": ${error.message}`, entry.contentType, { cause: error });
    throw error;
  }
  return {
    streamId: entry.streamId,
    revision,
    position: positionOf(entry.offset),
    id: entry.id,
    type: entry.type,
    data,
    metadata: structuredClone(entry.metadata),
    contentType: entry.contentType,
    schemaVersion: entry.schemaVersion,
    createdAt: entry.createdAt,
  };
}
