import type { EventStream } from "../event-stream.js";
import type { Logger } from "./logger.js";
import type { OtelTracing } from "./tracing.js";

/** What an EventStream reports to: its tracing (absent when not configured) and its logger. */
export interface Observability {
  readonly tracing: OtelTracing | undefined;
  readonly logger: Logger;
}

/** What `connect()` attaches to a stream it opened. */
export interface ObservabilityUpdate {
  readonly tracing?: OtelTracing | undefined;
  readonly logger?: Logger | undefined;
}

/**
 * Core's runtime answers this symbol with its observability (and takes an update). A symbol and
 * not a method, so it stays out of the public API and passes through proxies around a stream.
 */
export const OBSERVABILITY_HOOK: unique symbol = Symbol.for("switchyard-events.observability");

type Hook = (update?: ObservabilityUpdate) => Observability;

function hookOf(eventStream: EventStream): Hook | undefined {
  const hook = (eventStream as unknown as Record<symbol, unknown>)[OBSERVABILITY_HOOK];
  return typeof hook === "function" ? (hook as Hook) : undefined;
}

/** The observability of a stream built on core's runtime; undefined for any other EventStream. */
export function observabilityOf(eventStream: EventStream): Observability | undefined {
  return hookOf(eventStream)?.call(eventStream);
}

/** Attaches tracing and a logger to a stream built on core's runtime; false when it is not one. */
export function attachObservability(eventStream: EventStream, update: ObservabilityUpdate): boolean {
  const hook = hookOf(eventStream);
  if (!hook) return false;
  hook.call(eventStream, update);
  return true;
}
