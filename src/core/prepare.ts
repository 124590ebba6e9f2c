import { randomUUID } from "node:crypto";
import type { AppendLimitScope } from "./capabilities.js";
import type { CodecRegistry } from "./codec.js";
import { ValidationError, SerializationError } from "./errors.js";
import type { EventData, EventMetadata } from "./event.js";
import { stringifyStrict } from "./strict-json.js";
import { assertStreamName, assertUuid } from "./validation.js";

/** An event checked and encoded, ready for any adapter to write. */
export interface PreparedEvent {
  readonly id: string;
  /** False when the id was generated here: a fresh UUID cannot already be stored. */
  readonly idGiven: boolean;
  readonly type: string;
  readonly contentType: string;
  readonly schemaVersion: number;
  readonly data: Uint8Array;
  /**
   * The encoded data as text, when the content type's codec has a text form (`Codec.encodeText`):
   * `data` is then its UTF-8 bytes, made on first access, so a store that keeps text never makes them.
   */
  readonly text?: string;
  readonly metadata: EventMetadata;
  /** Encoded size of data plus metadata, for append-size limits. */
  readonly size: number;
}

/** A prepared event whose codec gave text: the bytes are made only if a driver asks for them. */
class PreparedText implements PreparedEvent {
  #bytes: Uint8Array | undefined;

  constructor(
    readonly id: string,
    readonly idGiven: boolean,
    readonly type: string,
    readonly contentType: string,
    readonly schemaVersion: number,
    readonly text: string,
    readonly metadata: EventMetadata,
    readonly size: number,
  ) {}

  get data(): Uint8Array {
    return (this.#bytes ??= Buffer.from(this.text, "utf8"));
  }
}

const utf8 = new TextEncoder();

/** Names, types and metadata keys starting with "$" belong to backends (EventStoreDB's system streams, events and keys) and to this library. */
const SYSTEM_PREFIX = "$";

/** How a backend's `maxAppendBytes` applies (`capabilities.maxAppendBytesPer`) and how it counts an event. */
export interface AppendSizeRule {
  readonly per: AppendLimitScope;
  /** An event's size as the backend counts it, where that is more than data plus metadata. Default: `size`. */
  sizeOf?(stream: string, event: PreparedEvent): number;
}

const PER_BATCH: AppendSizeRule = { per: "batch" };

/**
 * Checks and encodes a batch before anything is written: one bad event refuses the whole batch.
 * `maxAppendBytes` bounds each event or the whole batch, as `rule.per` says (default: the batch).
 */
export function prepareEvents(
  stream: string,
  events: readonly EventData[],
  codecs: CodecRegistry,
  maxAppendBytes?: number,
  rule: AppendSizeRule = PER_BATCH,
): PreparedEvent[] {
  assertStreamName(stream);
  if (stream.startsWith(SYSTEM_PREFIX)) {
    throw new ValidationError(`Stream names starting with "$" are the backend's system streams and cannot be appended to, got "${stream}"`, "stream");
  }
  if (!Array.isArray(events)) throw new ValidationError("events must be an array", "events");
  if (events.length === 0) throw new ValidationError("events must hold at least one event", "events");
  const prepared = new Array<PreparedEvent>(events.length);
  for (let i = 0; i < events.length; i++) prepared[i] = prepareEvent(events[i], codecs, `events[${i}]`);
  if (prepared.length > 1) assertDistinctIds(prepared);
  if (maxAppendBytes !== undefined) assertWithinLimit(stream, prepared, maxAppendBytes, rule);
  return prepared;
}

/**
 * Two events with one id in a batch cannot both be stored and kept apart (idempotency would drop
 * one on some backends and not others), so the batch is refused.
 */
function assertDistinctIds(prepared: readonly PreparedEvent[]): void {
  const seen = new Map<string, number>();
  for (let i = 0; i < prepared.length; i++) {
    const event = prepared[i]!;
    if (!event.idGiven) continue;
    const first = seen.get(event.id);
    if (first !== undefined) {
      throw new ValidationError(`events[${i}].id repeats the id of events[${first}] (${event.id}): ids within one append must differ`, `events[${i}].id`);
    }
    seen.set(event.id, i);
  }
}

/** Refuses a batch over `limit` as `rule` counts it; `prepareEvents` runs it when given a limit. */
export function assertWithinLimit(stream: string, prepared: readonly PreparedEvent[], limit: number, rule: AppendSizeRule): void {
  let total = 0;
  for (let i = 0; i < prepared.length; i++) {
    const size = rule.sizeOf ? rule.sizeOf(stream, prepared[i]!) : prepared[i]!.size;
    if (rule.per === "event" && size > limit) {
      throw new ValidationError(
        `events[${i}] of the append to "${stream}" is ${size} bytes; the backend accepts at most ${limit} bytes per event`,
        `events[${i}]`,
      );
    }
    total += size;
  }
  if (rule.per === "batch" && total > limit) {
    throw new ValidationError(
      `Append of ${total} bytes to "${stream}" exceeds the backend's limit of ${limit} bytes per append`,
      "events",
    );
  }
}

export function prepareEvent(event: EventData | undefined, codecs: CodecRegistry, field: string): PreparedEvent {
  if (typeof event !== "object" || event === null) {
    throw new ValidationError(`${field} must be an event object`, field);
  }
  const { type, data, metadata, id, contentType, schemaVersion } = event;
  if (typeof type !== "string" || type.length === 0) {
    throw new ValidationError(`${field}.type must be a non-empty string`, `${field}.type`);
  }
  if (type.startsWith(SYSTEM_PREFIX)) {
    throw new ValidationError(`${field}.type "${type}": types starting with "$" are reserved for the backend's system events`, `${field}.type`);
  }
  const eventId = id ?? flatUuid();
  if (id !== undefined) assertUuid(id, `${field}.id`);
  const version = schemaVersion ?? 1;
  if (!Number.isSafeInteger(version) || version < 1) {
    throw new ValidationError(`${field}.schemaVersion must be a positive integer`, `${field}.schemaVersion`);
  }
  if (contentType !== undefined && (typeof contentType !== "string" || contentType.length === 0)) {
    throw new ValidationError(`${field}.contentType must be a non-empty string`, `${field}.contentType`);
  }
  const resolvedType = contentType ?? codecs.defaultContentTypeFor(data);
  const codec = codecs.get(resolvedType);
  let text: string | undefined;
  let bytes: Uint8Array | undefined;
  try {
    if (codec.encodeText) text = codec.encodeText(data);
    else bytes = codec.encode(data);
  } catch (error) {
    if (error instanceof SerializationError) {
      throw new SerializationError(`${field}.data: ${error.message}`, resolvedType, { cause: error.cause ?? error });
    }
    throw new SerializationError(`${field}.data cannot be encoded as ${resolvedType}`, resolvedType, { cause: error });
  }
  const meta = prepareMetadata(metadata, `${field}.metadata`);
  if (text !== undefined) {
    const size = Buffer.byteLength(text, "utf8") + meta.size;
    return new PreparedText(eventId, id !== undefined, type, resolvedType, version, text, meta.value, size);
  }
  return {
    id: eventId,
    idGiven: id !== undefined,
    type,
    contentType: resolvedType,
    schemaVersion: version,
    data: bytes!,
    metadata: meta.value,
    size: bytes!.byteLength + meta.size,
  };
}

function flatUuid(): string {
  const id = randomUUID();
  id.charCodeAt(0);
  return id;
}

/** The metadata of every event appended without any: frozen, so no driver can change it for all. */
const NO_METADATA: EventMetadata = Object.freeze({});
const NONE = Object.freeze({ value: NO_METADATA, size: 0 });

function prepareMetadata(metadata: unknown, field: string): { value: EventMetadata; size: number } {
  if (metadata === undefined) return NONE;
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) {
    throw new ValidationError(`${field} must be a plain object`, field);
  }
  for (const key in metadata) {
    if (key.startsWith(SYSTEM_PREFIX)) {
      throw new ValidationError(`${field}.${key}: metadata keys starting with "$" are reserved for the backend and this library`, `${field}.${key}`);
    }
  }
  let text: string;
  try {
    text = stringifyStrict(metadata);
  } catch (error) {
    throw new SerializationError(`${field}: ${(error as Error).message}`, "application/json", { cause: (error as Error).cause ?? error });
  }
  const meta = metadata as EventMetadata;
  for (const key of ["correlationId", "causationId"] as const) {
    if (meta[key] !== undefined && typeof meta[key] !== "string") {
      throw new ValidationError(`${field}.${key} must be a string`, `${field}.${key}`);
    }
  }
  // Round-trip so later mutation by the caller cannot change what was appended.
  return { value: JSON.parse(text) as EventMetadata, size: utf8.encode(text).byteLength };
}
