import type {
  EventData as ClientEventData,
  JSONType,
  MetadataType,
  RecordedEvent as ClientRecordedEvent,
} from "@eventstore/db-client";
import {
  BINARY_CONTENT_TYPE,
  JSON_CONTENT_TYPE,
  jsonCodec,
  normaliseContentType,
  type CodecRegistry,
} from "../../core/codec.js";
import { SerializationError } from "../../core/errors.js";
import type { EventMetadata, RecordedEvent } from "../../core/event.js";
import type { PreparedEvent } from "../../core/prepare.js";
import { toPosition } from "./position-mapping.js";

/** Metadata keys this adapter reserves for what ESDB has no field for. */
export const CONTENT_TYPE_KEY = "$switchyard.contentType";
/** The metadata key the EventStoreDB adapter keeps a schema version above 1 under. */
export const SCHEMA_VERSION_KEY = "$switchyard.schemaVersion";
/** ESDB's conventional keys (also used by its projections and link events). */
export const CORRELATION_ID_KEY = "$correlationId";
/** The metadata key EventStoreDB uses for `causationId` (its projections read it). */
export const CAUSATION_ID_KEY = "$causationId";
/** Where metadata that is not a JSON object (written by another tool) is exposed on read. */
export const RAW_METADATA_KEY = "$metadata";

const utf8 = new TextDecoder("utf-8", { fatal: true });
const utf8Encoder = new TextEncoder();

/**
 * An event prepared by core (validated and encoded) in the client's shape. ESDB knows json and
 * binary; any other content type travels as binary with the real one in metadata.
 *
 * 6.2.1 sends `content-type` as given and writes data only for exactly application/json (its own
 * `JSON.stringify` of `data`) or application/octet-stream (the bytes as they are); it has no way
 * to take JSON already encoded. So JSON data goes back to a value here and the client encodes it
 * again (its text equals our codec's: `JSON.stringify` output is a fixed point of parse then
 * stringify). Metadata, which the client does accept as bytes, is encoded once, here.
 */
export function toClientEvent(event: PreparedEvent, field: string): ClientEventData {
  const contentType = event.contentType;
  const isJson = contentType === JSON_CONTENT_TYPE || normaliseContentType(contentType) === JSON_CONTENT_TYPE;
  let metadata = hasKeys(event.metadata) ? toStoredMetadata(event.metadata) : undefined;
  if (contentType !== (isJson ? JSON_CONTENT_TYPE : BINARY_CONTENT_TYPE)) (metadata ??= {})[CONTENT_TYPE_KEY] = contentType;
  if (event.schemaVersion !== 1) (metadata ??= {})[SCHEMA_VERSION_KEY] = event.schemaVersion;
  const meta = metadata === undefined ? undefined : jsonBytes(metadata);
  if (isJson) {
    return { id: event.id, type: event.type, contentType: JSON_CONTENT_TYPE, data: parseJson(event.data, field), metadata: meta };
  }
  return { id: event.id, type: event.type, contentType: BINARY_CONTENT_TYPE, data: event.data, metadata: meta };
}

/**
 * User metadata under ESDB's names: correlationId → $correlationId, causationId → $causationId.
 * Core refuses user keys starting with "$", so ours cannot collide with the caller's.
 */
function toStoredMetadata(user: EventMetadata): Record<string, unknown> {
  const stored: Record<string, unknown> = {};
  for (const key in user) {
    if (key === "correlationId" || key === "causationId") continue;
    stored[key] = user[key];
  }
  if (user.correlationId !== undefined) stored[CORRELATION_ID_KEY] = user.correlationId;
  if (user.causationId !== undefined) stored[CAUSATION_ID_KEY] = user.causationId;
  return stored;
}

function hasKeys(object: object): boolean {
  for (const _ in object) return true;
  return false;
}

// The client passes metadata through untouched only when its constructor is exactly Uint8Array
// (a Buffer would be JSON-stringified as {"type":"Buffer",...}), hence the plain view.
function jsonBytes(value: Record<string, unknown>): Uint8Array {
  const buffer = Buffer.from(JSON.stringify(value), "utf8");
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

// Typed as the client's JSONType; numbers, booleans and null are valid too (the client only stringifies it).
function parseJson(bytes: Uint8Array, field: string): JSONType {
  try {
    // Our json codec writes Buffers from JS strings (valid UTF-8); Buffer's decoder is the faster one.
    return JSON.parse(Buffer.isBuffer(bytes) ? bytes.toString("utf8") : utf8.decode(bytes)) as JSONType;
  } catch (cause) {
    // Only a custom codec registered for application/json can get here.
    throw new SerializationError(`${field}.data: the application/json codec did not produce JSON`, JSON_CONTENT_TYPE, { cause });
  }
}

/** Maps client records to ours; made once per read so codec lookups are not repeated per event. */
export type RecordMapper = (record: ClientRecordedEvent) => RecordedEvent;

export function recordMapper(codecs: CodecRegistry): RecordMapper {
  // The client has already parsed JSON data: with the built-in json codec it is used as is.
  const plainJson = !codecs.has(JSON_CONTENT_TYPE) || codecs.get(JSON_CONTENT_TYPE) === jsonCodec;
  return (record) => {
    if (record.metadata === undefined && (plainJson || !record.isJson)) {
      // Nothing of ours in metadata: the native content type, schema version 1.
      const contentType = record.isJson ? JSON_CONTENT_TYPE : BINARY_CONTENT_TYPE;
      return recorded(record, record.isJson ? record.data : decodeData(record, contentType, codecs), {}, contentType, 1);
    }
    return toRecordedEvent(record, codecs);
  };
}

/** A record as the client returns it, in our shape: metadata keys restored, data decoded by content type. */
export function toRecordedEvent(record: ClientRecordedEvent, codecs: CodecRegistry): RecordedEvent {
  const stored = toMetadataObject(record.metadata);
  const metadata: EventMetadata = {};
  let contentTypeValue: unknown;
  let schemaValue: unknown;
  for (const key in stored) {
    const value = stored[key];
    if (key === CONTENT_TYPE_KEY) contentTypeValue = value;
    else if (key === SCHEMA_VERSION_KEY) schemaValue = value;
    else if (key === CORRELATION_ID_KEY) metadata.correlationId = value as string;
    else if (key === CAUSATION_ID_KEY) metadata.causationId = value as string;
    else metadata[key] = value;
  }
  const contentType =
    typeof contentTypeValue === "string" ? contentTypeValue : record.isJson ? JSON_CONTENT_TYPE : BINARY_CONTENT_TYPE;
  const schemaVersion = typeof schemaValue === "number" && Number.isSafeInteger(schemaValue) && schemaValue > 0 ? schemaValue : 1;
  return recorded(record, decodeData(record, contentType, codecs), metadata, contentType, schemaVersion);
}

function recorded(
  record: ClientRecordedEvent,
  data: unknown,
  metadata: EventMetadata,
  contentType: string,
  schemaVersion: number,
): RecordedEvent {
  return {
    streamId: record.streamId,
    revision: record.revision,
    position: toPosition(record.position ?? { commit: 0n, prepare: 0n }),
    id: record.id,
    type: record.type,
    data,
    metadata,
    contentType,
    schemaVersion,
    createdAt: record.created,
  };
}

function decodeData(record: ClientRecordedEvent, contentType: string, codecs: CodecRegistry): unknown {
  if (record.isJson) {
    const codec = codecs.has(contentType) ? codecs.get(contentType) : jsonCodec;
    // The client already parsed the JSON; only a custom JSON codec needs the bytes again.
    if (codec === jsonCodec) return record.data;
    return decodeWith(codec.decode.bind(codec), utf8Encoder.encode(JSON.stringify(record.data)), record, contentType);
  }
  const bytes = record.data as Uint8Array;
  if (normaliseContentType(contentType) === BINARY_CONTENT_TYPE && !codecs.has(contentType)) return bytes;
  return decodeWith((b) => codecs.get(contentType).decode(b), bytes, record, contentType);
}

function decodeWith(
  decode: (bytes: Uint8Array) => unknown,
  bytes: Uint8Array,
  record: ClientRecordedEvent,
  contentType: string,
): unknown {
  try {
    return decode(bytes);
  } catch (error) {
    if (error instanceof SerializationError) {
      throw new SerializationError(
        `Event ${record.revision}@${record.streamId}: ${error.message}`,
        contentType,
        { cause: error.cause ?? error },
      );
    }
    throw new SerializationError(`Event ${record.revision}@${record.streamId} cannot be decoded as ${contentType}`, contentType, {
      cause: error,
    });
  }
}

function toMetadataObject(metadata: unknown): Record<string, unknown> {
  if (metadata === undefined || metadata === null) return {};
  if (typeof metadata === "object" && !Array.isArray(metadata) && !(metadata instanceof Uint8Array)) {
    return metadata as Record<string, unknown>;
  }
  // Not a JSON object (bytes or another JSON value, written by another tool): keep it visible.
  return { [RAW_METADATA_KEY]: metadata };
}
