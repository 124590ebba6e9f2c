import type { EventMetadata } from "../event.js";
import type { PreparedEvent } from "../prepare.js";

/**
 * Metadata keys that carry the trace context of the span that appended an event: the keys
 * KurrentDB's clients write, so traces join across their tools and ours. Keys starting with "$"
 * are reserved (the port refuses them from users), so only tracing writes these; reads return
 * them in `metadata` like any other key.
 */
export const TRACE_ID_KEY = "$traceId";
/** Metadata key of the span id of the span that appended an event (see `TRACE_ID_KEY`). */
export const SPAN_ID_KEY = "$spanId";

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;

/**
 * A prepared event with the writer's trace context added to its metadata and its size updated.
 * Its `data` is read through from the original, so bytes a driver never asks for (a store that
 * keeps the codec's text) are never made.
 */
export function withTraceContext(event: PreparedEvent, traceId: string, spanId: string): PreparedEvent {
  const metadata: EventMetadata = { ...event.metadata, [TRACE_ID_KEY]: traceId, [SPAN_ID_KEY]: spanId };
  const dataBytes = event.text !== undefined ? Buffer.byteLength(event.text, "utf8") : event.data.byteLength;
  const size = dataBytes + stampedMetadataSize(event.size - dataBytes);
  const { id, idGiven, type, contentType, schemaVersion, text } = event;
  return {
    id,
    idGiven,
    type,
    contentType,
    schemaVersion,
    ...(text !== undefined ? { text } : {}),
    get data() {
      return event.data;
    },
    metadata,
    size,
  };
}

// `"$traceId":"<32 hex>","$spanId":"<16 hex>"`: ids are ASCII, so characters are bytes.
const TRACE_MEMBERS_BYTES = `"${TRACE_ID_KEY}":"","${SPAN_ID_KEY}":""`.length + 32 + 16;

/**
 * The metadata's encoded size once the trace keys are added, from its size before (0 when there
 * was none, 2 for `{}`): the JSON text gains the two members, and a comma when it had members.
 */
export function stampedMetadataSize(before: number): number {
  return before > 2 ? before + 1 + TRACE_MEMBERS_BYTES : 2 + TRACE_MEMBERS_BYTES;
}

/** The writer's trace context stored in an event's metadata, when it holds a well-formed one. */
export function readTraceContext(metadata: EventMetadata): { traceId: string; spanId: string } | undefined {
  const traceId = metadata[TRACE_ID_KEY];
  const spanId = metadata[SPAN_ID_KEY];
  if (typeof traceId !== "string" || typeof spanId !== "string" || !TRACE_ID.test(traceId) || !SPAN_ID.test(spanId)) return undefined;
  return { traceId, spanId };
}
