import { setMaxListeners } from "node:events";
import type { Capabilities, CapabilityName } from "./capabilities.js";
import { CodecRegistry } from "./codec.js";
import type { EventStoreDriver } from "./driver.js";
import { ClosedError, UnsupportedOperationError } from "./errors.js";
import type { AppendResult, EventData, ExpectedRevision, RecordedEvent } from "./event.js";
import type {
  AppendOptions,
  DeleteOptions,
  EventStream,
  PersistentSubscriptions,
  PingOptions,
  ReadAllOptions,
  ReadOptions,
  Signalled,
  StreamMetadata,
  SubscribeOptions,
  Subscription,
  SubscriptionTarget,
} from "./event-stream.js";
import { lazyIterable } from "./lazy-iterable.js";
import { pingWithin } from "./ping.js";
import { silentLogger, type Logger } from "./observability/logger.js";
import { OBSERVABILITY_HOOK, type Observability, type ObservabilityUpdate } from "./observability/observability.js";
import { deliveryTracer, targetDestination, tracedAppend, tracedRead } from "./observability/traced-operations.js";
import { toOtelTracing, type OtelTracing, type Tracing } from "./observability/tracing.js";
import { assertWithinLimit, prepareEvents, type AppendSizeRule } from "./prepare.js";
import { checkFilter, toDeleteRequest, toReadAllRequest, toReadRequest } from "./requests.js";
import { RuntimePersistentSubscriptions } from "./runtime-persistent.js";
import { validateStreamMetadata } from "./stream-metadata.js";
import { createSubscription } from "./subscription.js";
import { resolveStart, resolveTarget, type ResolvedTarget } from "./subscription-target.js";
import { assertExpectedRevision, assertStreamName } from "./validation.js";

/** Options of core's runtime around a driver: codecs, tracing, logger. */
export interface RuntimeOptions {
  /** Codecs for content types beyond json, octet-stream and text (shared with the driver's decoding). */
  readonly codecs?: CodecRegistry;
  /** Spans for appends, reads and deliveries, from `createTracing()`; none when absent. */
  readonly tracing?: Tracing;
  /** Where notices (reconnects, warnings) go; silent by default. */
  readonly logger?: Logger;
}

/**
 * The user's EventStream: core's rules around an adapter's driver. Every check of the port runs
 * here, once, so the same input gives the same outcome on every backend; the driver only
 * translates. Adapters export subclasses only to add backend-specific accessors.
 */
export class EventStreamRuntime<TDriver extends EventStoreDriver = EventStoreDriver> implements EventStream {
  readonly capabilities: Capabilities;
  readonly persistentSubscriptions: PersistentSubscriptions;
  protected readonly driver: TDriver;
  readonly #codecs: CodecRegistry;
  readonly #sizeRule: AppendSizeRule;
  readonly #closing = new AbortController();
  #closed: Promise<void> | undefined;
  #tracing: OtelTracing | undefined;
  #logger: Logger;

  constructor(driver: TDriver, options: RuntimeOptions = {}) {
    this.driver = driver;
    this.capabilities = driver.capabilities;
    this.#codecs = options.codecs ?? new CodecRegistry();
    this.#tracing = toOtelTracing(options.tracing);
    this.#logger = options.logger ?? silentLogger;
    if (options.logger) driver.useLogger?.(options.logger);
    const sizeOf = driver.appendSizeOf?.bind(driver);
    this.#sizeRule = { per: driver.capabilities.maxAppendBytesPer, ...(sizeOf ? { sizeOf } : {}) };
    // Every subscription of this store listens to the one closing signal.
    setMaxListeners(0, this.#closing.signal);
    this.persistentSubscriptions = new RuntimePersistentSubscriptions(
      driver,
      this.#closing.signal,
      () => this.#assertOpen(),
      (capability) => this.#assertCapable(capability),
      () => this.#tracing,
    );
  }

  // Not `async`: the driver's promise is handed back as it is, without a second promise and the
  // extra turns of the microtask queue an async wrapper costs on every append.
  append(stream: string, events: readonly EventData[], options: AppendOptions = {}): Promise<AppendResult> {
    try {
      this.#assertOpen();
      const expectedRevision = options.expectedRevision ?? "any";
      assertExpectedRevision(expectedRevision);
      if (this.#tracing !== undefined) return this.#appendTraced(this.#tracing, stream, events, expectedRevision, options.signal);
      const prepared = prepareEvents(stream, events, this.#codecs, this.capabilities.maxAppendBytes, this.#sizeRule);
      if (expectedRevision !== "any") this.#assertCapable("expectedRevision");
      options.signal?.throwIfAborted();
      return this.driver.append({ stream, events: prepared, expectedRevision, signal: options.signal });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  read(stream: string, options: ReadOptions = {}): AsyncIterable<RecordedEvent> {
    return lazyIterable(() => {
      this.#assertOpen();
      const request = toReadRequest(stream, options);
      if (request.direction === "backwards") this.#assertCapable("readBackward");
      request.signal?.throwIfAborted();
      const events = this.driver.read(request);
      return this.#tracing ? tracedRead(this.#tracing, this.capabilities.backend, stream, events) : events;
    });
  }

  readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    return lazyIterable(() => {
      this.#assertOpen();
      this.#assertCapable("globalOrder");
      const request = toReadAllRequest(options, this.capabilities.backend, this.driver.positionParts);
      if (request.direction === "backwards") this.#assertCapable("readBackward");
      request.signal?.throwIfAborted();
      const events = this.driver.readAll!(request);
      return this.#tracing ? tracedRead(this.#tracing, this.capabilities.backend, undefined, events) : events;
    });
  }

  subscribe(target: SubscriptionTarget, options: SubscribeOptions = {}): Subscription {
    this.#assertOpen();
    const resolved = this.#resolveSubscriptionTarget(target);
    const from = resolveStart(resolved, options.from, this.capabilities.backend, this.driver.positionParts);
    this.#assertCapable("catchUpSubscriptions");
    const signal = options.signal ? AbortSignal.any([options.signal, this.#closing.signal]) : this.#closing.signal;
    return createSubscription({
      orderBy: resolved.kind === "stream" ? "stream" : "global",
      from,
      feed: this.driver.feed(resolved),
      signal,
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.onReconnect ? { onReconnect: options.onReconnect } : {}),
      logger: this.#logger,
      ...(this.#tracing ? { onDeliver: deliveryTracer(this.#tracing, this.capabilities.backend, targetDestination(resolved)) } : {}),
    });
  }

  async delete(stream: string, options: DeleteOptions = {}): Promise<void> {
    this.#assertOpen();
    this.#assertCapable("delete");
    const request = toDeleteRequest(stream, options);
    if (request.expectedRevision !== "any") this.#assertCapable("expectedRevision");
    request.signal?.throwIfAborted();
    return this.driver.delete!(request);
  }

  async tombstone(stream: string, options: DeleteOptions = {}): Promise<void> {
    this.#assertOpen();
    this.#assertCapable("tombstone");
    const request = toDeleteRequest(stream, options);
    if (request.expectedRevision !== "any") this.#assertCapable("expectedRevision");
    request.signal?.throwIfAborted();
    return this.driver.tombstone!(request);
  }

  async getStreamMetadata(stream: string, options: Signalled = {}): Promise<StreamMetadata> {
    this.#assertOpen();
    this.#assertCapable("streamMetadata");
    assertStreamName(stream);
    options.signal?.throwIfAborted();
    return this.driver.getStreamMetadata!(stream, options.signal);
  }

  async setStreamMetadata(stream: string, metadata: StreamMetadata, options: Signalled = {}): Promise<void> {
    this.#assertOpen();
    this.#assertCapable("streamMetadata");
    assertStreamName(stream);
    const valid = validateStreamMetadata(metadata, this.driver.maxTruncateBefore);
    options.signal?.throwIfAborted();
    return this.driver.setStreamMetadata!(stream, valid, options.signal);
  }

  async ping(options: PingOptions = {}): Promise<void> {
    this.#assertOpen();
    return pingWithin(this.#displayName, options, (signal, timeoutMs) => this.driver.ping(signal, timeoutMs));
  }

  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closing.abort(new ClosedError("EventStream closed"));
      this.#closed = this.driver.close();
    }
    return this.#closed;
  }

  async #appendTraced(
    tracing: OtelTracing,
    stream: string,
    events: readonly EventData[],
    expectedRevision: ExpectedRevision,
    signal: AbortSignal | undefined,
  ): Promise<AppendResult> {
    const limit = this.capabilities.maxAppendBytes;
    return tracedAppend(
      tracing,
      this.capabilities.backend,
      stream,
      Array.isArray(events) ? events.length : 0,
      (stamp) => {
        // The limit is checked on the events as stored: with the trace context in their metadata.
        const prepared = stamp(prepareEvents(stream, events, this.#codecs));
        if (limit !== undefined) assertWithinLimit(stream, prepared, limit, this.#sizeRule);
        if (expectedRevision !== "any") this.#assertCapable("expectedRevision");
        signal?.throwIfAborted();
        return prepared;
      },
      (prepared) => this.driver.append({ stream, events: prepared, expectedRevision, signal }),
    );
  }

  static {
    // Core's domain layer and connect() reach a runtime's tracing and logger through this symbol.
    Object.defineProperty(EventStreamRuntime.prototype, OBSERVABILITY_HOOK, {
      value: function (this: EventStreamRuntime, update?: ObservabilityUpdate): Observability {
        if (update?.tracing !== undefined) this.#tracing = update.tracing;
        if (update?.logger !== undefined) {
          this.#logger = update.logger;
          this.driver.useLogger?.(update.logger);
        }
        return { tracing: this.#tracing, logger: this.#logger };
      },
    });
  }

  #resolveSubscriptionTarget(target: SubscriptionTarget): ResolvedTarget {
    const resolved = resolveTarget(target);
    if (resolved.kind === "category") this.#assertCapable("categorySubscriptions");
    if (resolved.kind !== "all") return resolved;
    const filter = checkFilter(resolved.filter);
    this.#assertCapable("globalOrder");
    return { kind: "all", filter };
  }

  #assertCapable(capability: CapabilityName): void {
    if (this.capabilities[capability]) return;
    const reason = this.driver.unsupported?.[capability] ?? `The ${this.#displayName} backend does not offer ${capability}`;
    throw new UnsupportedOperationError(capability, reason);
  }

  get #displayName(): string {
    return this.driver.displayName ?? this.capabilities.backend;
  }

  #assertOpen(): void {
    if (this.#closing.signal.aborted) throw new ClosedError("This EventStream has been closed");
  }
}
