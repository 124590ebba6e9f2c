import type { Capabilities } from "./capabilities.js";
import type { ConnectionError } from "./errors.js";
import type { AppendResult, EventData, ExpectedRevision, RecordedEvent } from "./event.js";
import type { Position } from "./position.js";

/**
 * The port: everything domain code needs from an event store. Adapters implement it; the
 * conformance suite in `switchyard-events/testing` checks that they do.
 */
export interface EventStream {
  readonly capabilities: Capabilities;

  /** Appends events to a stream, atomically where `capabilities.atomicAppend`. */
  append(stream: string, events: readonly EventData[], options?: AppendOptions): Promise<AppendResult>;

  /**
   * Reads a stream. `from` is inclusive. A stream that does not exist yields a
   * `StreamNotFoundError`; a tombstoned one a `StreamDeletedError`.
   */
  read(stream: string, options?: ReadOptions): AsyncIterable<RecordedEvent>;

  /** Reads every stream in global order (where `capabilities.globalOrder`). `from` is inclusive. */
  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent>;

  /**
   * Follows a stream, a category or `$all`: history strictly after `from`, then live events.
   * At-least-once; reconnects on its own (each attempt reported to `onReconnect`); ends only on
   * `close()`, an unrecoverable error or `retry.maxAttempts` failed reconnects in a row.
   */
  subscribe(target: SubscriptionTarget, options?: SubscribeOptions): Subscription;

  /** Soft delete: a later append recreates the stream and its revisions continue. */
  delete(stream: string, options?: DeleteOptions): Promise<void>;

  /** Hard delete: the stream can never be written or read again. */
  tombstone(stream: string, options?: DeleteOptions): Promise<void>;

  /** Retention settings of a stream (where `capabilities.streamMetadata`). */
  getStreamMetadata(stream: string, options?: Signalled): Promise<StreamMetadata>;
  setStreamMetadata(stream: string, metadata: StreamMetadata, options?: Signalled): Promise<void>;

  /** Competing consumers (where `capabilities.persistentSubscriptions`). */
  readonly persistentSubscriptions: PersistentSubscriptions;

  /**
   * Asks the backend for an answer: resolves once it replied and did not refuse the credentials;
   * rejects with `ConnectionError` when it cannot be reached, is not serving, or stays silent for
   * `timeoutMs` (default 5 s), `AuthenticationError` when it refuses the credentials, `ClosedError`
   * after `close()`. Connecting never waits for the backend, so this is the fail-fast check.
   */
  ping(options?: PingOptions): Promise<void>;

  /** Releases connections. Operations after close fail with `ClosedError`. Idempotent. */
  close(): Promise<void>;
}

/** Options that take an `AbortSignal`. */
export interface Signalled {
  signal?: AbortSignal;
}

/** Options of `EventStream.ping`. */
export interface PingOptions extends Signalled {
  /** Give up after this long, with a `ConnectionError`. Positive; default 5000. */
  timeoutMs?: number;
}

/** Options of `EventStream.append`. */
export interface AppendOptions extends Signalled {
  expectedRevision?: ExpectedRevision;
}

/** Which way a read goes. */
export type Direction = "forwards" | "backwards";

/** Options of `EventStream.read`. */
export interface ReadOptions extends Signalled {
  direction?: Direction;
  /** Inclusive start revision, or "start"/"end". Defaults to the start for the direction. */
  from?: bigint | "start" | "end";
  /** Positive; unlimited when absent. */
  maxCount?: number | bigint;
}

/** Options of `EventStream.readAll`. */
export interface ReadAllOptions extends Signalled {
  direction?: Direction;
  /** Inclusive start position, or "start"/"end". */
  from?: Position | string | "start" | "end";
  maxCount?: number | bigint;
  filter?: EventFilter;
}

/** Server-side filters for `$all`: a stream-name prefix or event-type list narrows what is delivered. */
export interface EventFilter {
  streamPrefixes?: readonly string[];
  eventTypes?: readonly string[];
}

/** What a subscription follows: a stream, a category, or `$all` (optionally filtered). */
export type SubscriptionTarget =
  | string // a stream id, or "$all"
  | { readonly stream: string }
  | { readonly category: string }
  | { readonly all: true; readonly filter?: EventFilter };

/** Options of `EventStream.subscribe`. */
export interface SubscribeOptions extends Signalled {
  /**
   * Exclusive start: for a stream, the revision last processed; for a category or `$all`, the
   * position last processed (a `Position` or its string form, e.g. a stored checkpoint).
   * "start" (the default) delivers everything; "end" only what is appended from now on.
   */
  from?: bigint | Position | string | "start" | "end";
  /** Reconnection backoff after a dropped connection. */
  retry?: RetryOptions;
  /**
   * Called each time the connection dropped (or could not be reopened) and a reconnect is
   * scheduled, before the wait. For logging and health checks; an exception it throws is reported
   * as a process warning and does not affect the subscription.
   */
  onReconnect?: (info: ReconnectInfo) => void;
}

/** How a subscription retries a dropped connection. */
export interface RetryOptions {
  /**
   * Give up after this many consecutive failed reconnects: the iterator then throws the last
   * `ConnectionError` (and `caughtUp` rejects with it if still pending). Infinity by default.
   */
  maxAttempts?: number;
  /** Wait before the first reconnect, doubled per consecutive failure (jittered). Default 100. */
  initialDelayMs?: number;
  /** Longest wait between reconnects. Default 5000. */
  maxDelayMs?: number;
}

/** One scheduled reconnect of a subscription. */
export interface ReconnectInfo {
  /** 1 for the first reconnect after a drop, counting up while reconnects keep failing. */
  readonly attempt: number;
  /** Why: the typed error of the dropped or refused connection; it holds no secret. */
  readonly error: ConnectionError;
  /** How long the subscription waits before this attempt. */
  readonly delayMs: number;
}

/**
 * A live feed of events. Iterate it with `for await`; it yields history, then live events.
 * `caughtUp` resolves once everything written before the subscription was established has been
 * yielded. `close()` ends the iteration.
 */
export interface Subscription extends AsyncIterable<RecordedEvent> {
  readonly caughtUp: Promise<void>;
  readonly isCaughtUp: boolean;
  /** The last event yielded, to store as a checkpoint. */
  readonly lastEvent: RecordedEvent | undefined;
  /**
   * The reconnect under way while the connection is down; `undefined` once the subscription
   * delivers or catches up again (and before any drop).
   */
  readonly reconnecting: ReconnectInfo | undefined;
  close(): Promise<void>;
}

/** Options of `EventStream.delete` and `tombstone`. */
export interface DeleteOptions extends Signalled {
  expectedRevision?: ExpectedRevision;
}

/** Per-stream settings: retention (`maxAge`, `maxCount`, `truncateBefore`) and custom values. */
export interface StreamMetadata {
  /** Keep at most this many of the newest events. */
  maxCount?: number;
  /** Keep events no older than this many seconds. */
  maxAgeSeconds?: number;
  /** Hide events before this revision (truncation). */
  truncateBefore?: bigint;
}

// --- Persistent subscriptions (competing consumers) ---

/** What a persistent subscription group follows: one stream, or `$all` with a filter. */
export type PersistentTarget = { readonly stream: string } | { readonly all: true; readonly filter?: EventFilter };

/** Settings of a persistent subscription group; absent ones keep the backend's defaults. */
export interface PersistentSubscriptionSettings {
  /** Where the group starts: "start", "end", a revision (stream) or position ($all). Inclusive. */
  startFrom?: bigint | Position | string | "start" | "end";
  /** How many times an event is retried before it is parked. Default 10. */
  maxRetryCount?: number;
  /** How long a delivered event may stay unacknowledged before it is retried. Default 30 s. */
  messageTimeoutMs?: number;
}

/** What to do with an event a persistent-subscription consumer could not handle. */
export type NackAction = "park" | "retry" | "skip";

/** One event from a persistent subscription, to ack or nack. */
export interface PersistentDelivery {
  readonly event: RecordedEvent;
  /** How many times this event was delivered before this delivery. */
  readonly retryCount: number;
  ack(): Promise<void>;
  nack(action: NackAction, reason?: string): Promise<void>;
}

/** A connection to a persistent subscription group: its deliveries, and close. */
export interface PersistentSubscription extends AsyncIterable<PersistentDelivery> {
  close(): Promise<void>;
}

/** Persistent subscription groups of a store: create, update, delete, connect. */
export interface PersistentSubscriptions {
  create(target: PersistentTarget, group: string, settings?: PersistentSubscriptionSettings): Promise<void>;
  update(target: PersistentTarget, group: string, settings: PersistentSubscriptionSettings): Promise<void>;
  delete(target: PersistentTarget, group: string): Promise<void>;
  /** Joins the group: events are shared among every connection of the group. */
  connect(target: PersistentTarget, group: string, options?: { bufferSize?: number }): PersistentSubscription;
}
