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
import { SerializationError, ValidationError } from "../../core/errors.js";
import type { EventMetadata, RecordedEvent } from "../../core/event.js";
import type { PreparedEvent } from "../../core/prepare.js";
import { toPosition } from "./position-mapping.js";

/** Metadata keys this adapter reserves for what ESDB has no field for. */
export const CONTENT_TYPE_KEY = "$switchyard.contentType";
export const SCHEMA_VERSION_KEY = "$switchyard.schemaVersion";
/** ESDB's conventional keys (also used by its projections and link events). */
export const CORRELATION_ID_KEY = "$correlationId";
export const CAUSATION_ID_KEY = "$causationId";
/** Where metadata that is not a JSON object (written by another tool) is exposed on read. */
export const RAW_METADATA_KEY = "$metadata";

const utf8 = new TextDecoder("utf-8", { fatal: true });
const utf8Encoder = new TextEncoder();

/**
 * An event prepared by core (validated and encoded) in the client's shape. ESDB knows json and
 * binary; any other content type travels as binary with the real one in metadata.
 */
export function toClientEvent(event: PreparedEvent, field: string): ClientEventData {
  const { correlationId, causationId, ...user } = event.metadata;
  for (const key of [CONTENT_TYPE_KEY, SCHEMA_VERSION_KEY]) {
    if (key in user) throw new ValidationError(`${field}.metadata.${key} is reserved by the EventStoreDB adapter`, `${field}.metadata`);
  }
  const metadata: Record<string, unknown> = { ...user };
  if (correlationId !== undefined) metadata[CORRELATION_ID_KEY] = correlationId;
  if (causationId !== undefined) metadata[CAUSATION_ID_KEY] = causationId;
  const native = normaliseContentType(event.contentType);
  const isJson = native === JSON_CONTENT_TYPE;
  if (event.contentType !== (isJson ? JSON_CONTENT_TYPE : BINARY_CONTENT_TYPE)) metadata[CONTENT_TYPE_KEY] = event.contentType;
  if (event.schemaVersion !== 1) metadata[SCHEMA_VERSION_KEY] = event.schemaVersion;
  const meta: MetadataType | undefined = Object.keys(metadata).length > 0 ? metadata : undefined;
  if (isJson) {
    // The client serialises JSON itself; hand it the parsed value of exactly what our codec wrote.
    return { id: event.id, type: event.type, contentType: JSON_CONTENT_TYPE, data: parseJson(event.data, field), metadata: meta };
  }
  return { id: event.id, type: event.type, contentType: BINARY_CONTENT_TYPE, data: event.data, metadata: meta };
}

// Typed as the client's JSONType; numbers, booleans and null are valid too (the client only stringifies it).
function parseJson(bytes: Uint8Array, field: string): JSONType {
  try {
    return JSON.parse(utf8.decode(bytes)) as JSONType;
  } catch (cause) {
    // Only a custom codec registered for application/json can get here.
    throw new SerializationError(`${field}.data: the application/json codec did not produce JSON`, JSON_CONTENT_TYPE, { cause });
  }
}

/** A record as the client returns it, in our shape: metadata keys restored, data decoded by content type. */
export function toRecordedEvent(record: ClientRecordedEvent, codecs: CodecRegistry): RecordedEvent {
  const stored = toMetadataObject(record.metadata);
  const { [CONTENT_TYPE_KEY]: contentTypeValue, [SCHEMA_VERSION_KEY]: schemaValue, ...rest } = stored;
  const metadata: EventMetadata = {};
  for (const [key, value] of Object.entries(rest)) {
    if (key === CORRELATION_ID_KEY) metadata.correlationId = value as string;
    else if (key === CAUSATION_ID_KEY) metadata.causationId = value as string;
    else metadata[key] = value;
  }
  const contentType =
    typeof contentTypeValue === "string" ? contentTypeValue : record.isJson ? JSON_CONTENT_TYPE : BINARY_CONTENT_TYPE;
  const schemaVersion = typeof schemaValue === "number" && Number.isSafeInteger(schemaValue) && schemaValue > 0 ? schemaValue : 1;
  return {
    streamId: record.streamId,
    revision: record.revision,
    position: toPosition(record.position ?? { commit: 0n, prepare: 0n }),
    id: record.id,
    type: record.type,
    data: decodeData(record, contentType, codecs),
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
