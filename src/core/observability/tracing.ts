import type * as OtelApi from "@opentelemetry/api";
import { ConfigurationError, isSwitchyardError } from "../errors.js";
import type { EventMetadata } from "../event.js";
import { missingPeerError, peerRange } from "../peer-dependencies.js";
import type { PreparedEvent } from "../prepare.js";
import { ATTR } from "./semconv.js";
import { readTraceContext, withTraceContext } from "./trace-metadata.js";

/** The part of an OpenTelemetry `TracerProvider` tracing uses (typed here so no declaration needs the API package). */
export interface TracerProviderLike {
  getTracer(name: string, version?: string): unknown;
}

/** How `createTracing()` finds its tracer. */
export interface TracingOptions {
  /** Where spans go; default: the global provider registered with `@opentelemetry/api`. */
  readonly tracerProvider?: TracerProviderLike;
}

/**
 * Tracing through OpenTelemetry, made by `createTracing()` and handed to `connect(url, { tracing })`
 * (or a runtime's options). Opaque: the library uses it; users only pass it on.
 */
export interface Tracing {
  /** The instrumentation scope name spans are created under ("switchyard-events"). */
  readonly scope: string;
}

/** The tracer's instrumentation scope: the package name. */
export const TRACER_NAME = "switchyard-events";

/**
 * Loads `@opentelemetry/api` (an optional peer dependency: install it to trace) and returns the
 * tracing that `connect(url, { tracing })` takes. Until this is called, the API package is never
 * imported.
 */
export async function createTracing(options: TracingOptions = {}): Promise<Tracing> {
  const api = await loadApi();
  const provider = options.tracerProvider ?? api.trace.getTracerProvider();
  if (typeof provider?.getTracer !== "function") {
    throw new ConfigurationError("tracing.tracerProvider must be an OpenTelemetry TracerProvider (with getTracer)");
  }
  return new OtelTracing(api, provider.getTracer(TRACER_NAME) as OtelApi.Tracer);
}

async function loadApi(): Promise<typeof OtelApi> {
  try {
    return await import("@opentelemetry/api");
  } catch (error) {
    if (!missingPeerError(error, "tracing", [API_PACKAGE])) throw error;
    throw new ConfigurationError(
      `Tracing needs the package "${API_PACKAGE}" (${peerRange(API_PACKAGE)}), an optional peer dependency that is not installed. ` +
        `Install it with: npm install "${API_PACKAGE}@${peerRange(API_PACKAGE)}"`,
      { cause: error },
    );
  }
}

const API_PACKAGE = "@opentelemetry/api";

/** The tracing the library's code uses, or a ConfigurationError for a value not made by `createTracing()`. */
export function toOtelTracing(tracing: Tracing | undefined): OtelTracing | undefined {
  if (tracing === undefined) return undefined;
  if (tracing instanceof OtelTracing) return tracing;
  throw new ConfigurationError("tracing must be the value createTracing() resolves to");
}

export type SpanKindName = "producer" | "consumer" | "client" | "internal";
export type Span = OtelApi.Span;
export type SpanAttributes = OtelApi.Attributes;

/** The OpenTelemetry calls behind every span the library makes. */
export class OtelTracing implements Tracing {
  readonly scope = TRACER_NAME;
  readonly #api: typeof OtelApi;
  readonly #tracer: OtelApi.Tracer;

  constructor(api: typeof OtelApi, tracer: OtelApi.Tracer) {
    this.#api = api;
    this.#tracer = tracer;
  }

  /** Starts a span under the active context, or as a root when `root` (long-lived consumers). */
  start(name: string, kind: SpanKindName, attributes: SpanAttributes, links?: OtelApi.Link[], root = false): Span {
    const options: OtelApi.SpanOptions = { kind: this.#kind(kind), attributes, ...(links && links.length > 0 ? { links } : {}), ...(root ? { root } : {}) };
    return this.#tracer.startSpan(name, options);
  }

  /** Runs `fn` with `span` active, so spans started inside (the driver's, the user's) are its children. */
  run<T>(span: Span, fn: () => T): T {
    const api = this.#api;
    return api.context.with(api.trace.setSpan(api.context.active(), span), fn);
  }

  /** Starts a span, runs `fn` inside it, and ends it, marked failed if `fn` throws. */
  async span<T>(name: string, kind: SpanKindName, attributes: SpanAttributes, fn: (span: Span) => Promise<T>): Promise<T> {
    const span = this.start(name, kind, attributes);
    try {
      return await this.run(span, () => fn(span));
    } catch (error) {
      this.fail(span, error);
      throw error;
    } finally {
      span.end();
    }
  }

  /** Marks a span failed: status, `error.type` (the error's code or class), the exception event. */
  fail(span: Span, error: unknown): void {
    const type = isSwitchyardError(error) ? error.code : error instanceof Error ? error.name : "_OTHER";
    span.setAttribute(ATTR.errorType, type);
    span.setStatus({ code: this.#api.SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    if (error instanceof Error) span.recordException(error);
  }

  /** The link to the span that wrote an event, from the trace context stored in its metadata. */
  linkTo(metadata: EventMetadata): OtelApi.Link | undefined {
    const stored = readTraceContext(metadata);
    if (!stored) return undefined;
    const context: OtelApi.SpanContext = { ...stored, traceFlags: this.#api.TraceFlags.SAMPLED, isRemote: true };
    return this.#api.trace.isSpanContextValid(context) ? { context } : undefined;
  }

  /** The events with the span's trace context in their metadata (when the span is sampled). */
  stamp(span: Span, events: PreparedEvent[]): PreparedEvent[] {
    const context = span.spanContext();
    if ((context.traceFlags & this.#api.TraceFlags.SAMPLED) === 0) return events;
    return events.map((event) => withTraceContext(event, context.traceId, context.spanId));
  }

  #kind(kind: SpanKindName): OtelApi.SpanKind {
    const { SpanKind } = this.#api;
    return kind === "producer" ? SpanKind.PRODUCER : kind === "consumer" ? SpanKind.CONSUMER : kind === "client" ? SpanKind.CLIENT : SpanKind.INTERNAL;
  }
}
