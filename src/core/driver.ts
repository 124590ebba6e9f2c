import type { Capabilities, CapabilityName } from "./capabilities.js";
import type { AppendResult, ExpectedRevision, RecordedEvent } from "./event.js";
import type {
  Direction,
  EventFilter,
  NackAction,
  StreamMetadata,
} from "./event-stream.js";
import type { Logger } from "./observability/logger.js";
import type { Position } from "./position.js";
import type { PreparedEvent } from "./prepare.js";
import type { Feed } from "./subscription.js";
import type { ResolvedTarget } from "./subscription-target.js";

/**
 * What an adapter implements: the translation of prepared, valid requests to one backend and of
 * its answers and errors back. Every rule of the port (names, types, ids, metadata, expected
 * revisions, options, positions, sizes, closed state, capabilities) is checked by core's runtime
 * before a driver method is called, so a driver never re-checks and never forgets one.
 */
export interface EventStoreDriver {
  /** What the backend can promise; the runtime refuses what it cannot with UnsupportedOperationError. */
  readonly capabilities: Capabilities;
  /** The backend's name in messages ("EventStoreDB"); default `capabilities.backend`, its position prefix. */
  readonly displayName?: string;
  /** How many parts this backend's positions have (memory 1; EventStoreDB 2: commit/prepare). */
  readonly positionParts: number;
  /**
   * An event's size as the backend counts it against `capabilities.maxAppendBytes`, where that
   * is more than data plus metadata (an envelope, reserved keys). Default: the prepared `size`.
   */
  appendSizeOf?(stream: string, event: PreparedEvent): number;
  /** The largest `truncateBefore` the backend can store, where it has a bound. */
  readonly maxTruncateBefore?: { readonly value: bigint; readonly note: string };
  /** Why a capability is missing, for the UnsupportedOperationError the runtime throws. */
  readonly unsupported?: Partial<Record<CapabilityName, string>>;

  append(request: AppendRequest): Promise<AppendResult>;
  /** Yields the stream's events; throws StreamNotFoundError / StreamDeletedError as the port says. */
  read(request: ReadRequest): AsyncIterable<RecordedEvent>;
  /** Called only where `capabilities.globalOrder`. */
  readAll?(request: ReadAllRequest): AsyncIterable<RecordedEvent>;
  /** The events of a subscription target; core's subscription adds checkpoints, de-duplication and reconnects. */
  feed(target: ResolvedTarget): Feed;
  delete?(request: DeleteRequest): Promise<void>;
  tombstone?(request: DeleteRequest): Promise<void>;
  getStreamMetadata?(stream: string, signal: AbortSignal | undefined): Promise<StreamMetadata>;
  setStreamMetadata?(stream: string, metadata: StreamMetadata, signal: AbortSignal | undefined): Promise<void>;
  readonly persistent?: PersistentDriver;
  /**
   * One cheap round trip to the backend; rejects with a typed error when it cannot be reached.
   * The runtime bounds it by `timeoutMs` whether or not the driver honours `signal`.
   */
  ping(signal: AbortSignal, timeoutMs: number): Promise<void>;
  /** Takes the logger the store's notices go to (a driver with notices of its own implements it). */
  useLogger?(logger: Logger): void;
  /** Releases connections; called once. */
  close(): Promise<void>;
}

/** An append as the runtime hands it to a driver: checked, encoded, with distinct ids. */
export interface AppendRequest {
  readonly stream: string;
  /** Valid, encoded, with distinct ids; at least one. */
  readonly events: readonly PreparedEvent[];
  /** "any" unless the caller gave one; never a value the backend cannot enforce. */
  readonly expectedRevision: ExpectedRevision;
  readonly signal: AbortSignal | undefined;
}

/** A read of one stream as the runtime hands it to a driver. */
export interface ReadRequest {
  readonly stream: string;
  readonly direction: Direction;
  /** Inclusive start. */
  readonly from: bigint | "start" | "end";
  /** Positive, or undefined for no limit. */
  readonly maxCount: bigint | undefined;
  readonly signal: AbortSignal | undefined;
}

/** A read of `$all` as the runtime hands it to a driver. */
export interface ReadAllRequest {
  readonly direction: Direction;
  /** Inclusive start: a position of this backend, already checked. */
  readonly from: Position | "start" | "end";
  readonly maxCount: bigint | undefined;
  readonly filter: EventFilter | undefined;
  readonly signal: AbortSignal | undefined;
}

/** A delete or tombstone as the runtime hands it to a driver. */
export interface DeleteRequest {
  readonly stream: string;
  readonly expectedRevision: ExpectedRevision;
  readonly signal: AbortSignal | undefined;
}

/** A persistent subscription's target, checked. */
export type ResolvedPersistentTarget =
  | { readonly kind: "stream"; readonly stream: string }
  | { readonly kind: "all"; readonly filter: EventFilter | undefined };

/** Settings checked by the runtime; absent ones keep the backend's default (or current value on update). */
export interface ValidPersistentSettings {
  /** Inclusive start: a revision for a stream target, a position of this backend for `$all`. */
  readonly startFrom?: bigint | Position | "start" | "end";
  readonly maxRetryCount?: number;
  readonly messageTimeoutMs?: number;
}

/** What a driver implements for persistent subscriptions. */
export interface PersistentDriver {
  create(target: ResolvedPersistentTarget, group: string, settings: ValidPersistentSettings): Promise<void>;
  update(target: ResolvedPersistentTarget, group: string, settings: ValidPersistentSettings): Promise<void>;
  delete(target: ResolvedPersistentTarget, group: string): Promise<void>;
  /** Deliveries until `signal` aborts (the connection's close or the store's). */
  connect(target: ResolvedPersistentTarget, group: string, bufferSize: number, signal: AbortSignal): DriverPersistentConnection;
}

/** A driver's connection to a persistent subscription group. */
export interface DriverPersistentConnection extends AsyncIterable<DriverDelivery> {
  close(): Promise<void>;
}

/** One persistent-subscription delivery as a driver yields it, with its ack and nack. */
export interface DriverDelivery {
  readonly event: RecordedEvent;
  readonly retryCount: number;
  ack(): Promise<void>;
  /** `action` is one of "park", "retry", "skip", checked by the runtime. */
  nack(action: NackAction, reason: string | undefined): Promise<void>;
}
