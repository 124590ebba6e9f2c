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

/** A prepared event with the writer's trace context added to its metadata and its size updated. */
export function withTraceContext(event: PreparedEvent, traceId: string, spanId: string): PreparedEvent {
  const metadata: EventMetadata = { ...event.metadata, [TRACE_ID_KEY]: traceId, [SPAN_ID_KEY]: spanId };
  // The size a backend's limit is checked against: data plus the metadata as it is now stored.
  const size = event.data.byteLength + Buffer.byteLength(JSON.stringify(metadata));
  return { ...event, metadata, size };
}

/** The writer's trace context stored in an event's metadata, when it holds a well-formed one. */
export function readTraceContext(metadata: EventMetadata): { traceId: string; spanId: string } | undefined {
  const traceId = metadata[TRACE_ID_KEY];
  const spanId = metadata[SPAN_ID_KEY];
  if (typeof traceId !== "string" || typeof spanId !== "string" || !TRACE_ID.test(traceId) || !SPAN_ID.test(spanId)) return undefined;
  return { traceId, spanId };
}
