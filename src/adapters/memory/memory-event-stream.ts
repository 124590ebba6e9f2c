import type { Capabilities } from "../../core/capabilities.js";
import { CodecRegistry } from "../../core/codec.js";
import {
  ClosedError,
  StreamDeletedError,
  StreamNotFoundError,
  ValidationError,
  WrongExpectedRevisionError,
} from "../../core/errors.js";
import type { AppendResult, EventData, ExpectedRevision, RecordedEvent } from "../../core/event.js";
import type {
  AppendOptions,
  DeleteOptions,
  EventStream,
  PersistentSubscriptions,
  PingOptions,
  ReadAllOptions,
  ReadOptions,
  StreamMetadata,
  SubscribeOptions,
  Subscription,
  SubscriptionTarget,
} from "../../core/event-stream.js";
import { pingWithin } from "../../core/ping.js";
import { prepareEvents, type PreparedEvent } from "../../core/prepare.js";
import { assertExpectedRevision, assertStreamName, toDirection, toMaxCount } from "../../core/validation.js";
import type { MemoryConfig } from "./config.js";
import { MemoryLog, positionOf, toRecordedEvent, type StreamState } from "./memory-log.js";
import { MemoryPersistentSubscriptions } from "./memory-persistent.js";
import { readAllEvents } from "./memory-read-all.js";
import { subscribeInMemory } from "./memory-subscriptions.js";
import { validateStreamMetadata } from "../../core/stream-metadata.js";

const DEFAULT_MAX_APPEND_BYTES = 1_048_576;

export interface MemoryEventStreamOptions {
  /** Largest append accepted, in encoded bytes (default 1 MiB, as on EventStoreDB). */
  maxAppendBytes?: number;
  /** Codecs for content types beyond json, octet-stream and text. */
  codecs?: CodecRegistry;
}

/** Creates the reference adapter: every capability, data round-tripped through its codec. */
export function createMemoryEventStream(options: MemoryEventStreamOptions | MemoryConfig = {}): MemoryEventStream {
  return new MemoryEventStream(options);
}

export class MemoryEventStream implements EventStream {
  readonly capabilities: Capabilities;
  readonly persistentSubscriptions: PersistentSubscriptions;
  readonly #log = new MemoryLog();
  readonly #codecs: CodecRegistry;
  readonly #closing = new AbortController();

  constructor(options: MemoryEventStreamOptions | MemoryConfig = {}) {
    this.#codecs = ("codecs" in options && options.codecs) || new CodecRegistry();
    this.capabilities = Object.freeze({
      backend: "memory",
      expectedRevision: true,
      atomicAppend: true,
      idempotentIds: true,
      readBackward: true,
      globalOrder: true,
      catchUpSubscriptions: true,
      categorySubscriptions: true,
      persistentSubscriptions: true,
      delete: true,
      tombstone: true,
      streamMetadata: true,
      maxAppendBytes: options.maxAppendBytes ?? DEFAULT_MAX_APPEND_BYTES,
      maxAppendBytesPer: "batch",
    });
    this.persistentSubscriptions = new MemoryPersistentSubscriptions(
      this.#log,
      this.#codecs,
      this.#closing.signal,
      () => this.#assertOpen(),
    );
  }

  async append(stream: string, events: readonly EventData[], options: AppendOptions = {}): Promise<AppendResult> {
    this.#assertOpen();
    const expected = options.expectedRevision ?? "any";
    assertExpectedRevision(expected);
    const prepared = prepareEvents(stream, events, this.#codecs, this.capabilities.maxAppendBytes);
    options.signal?.throwIfAborted();
    const state = this.#log.stream(stream);
    if (state?.tombstoned) throw new StreamDeletedError(stream);

    const replay = state && findIdempotentReplay(state, prepared, expected);
    if (replay !== undefined) {
      const last = state!.events[Number(replay)]!;
      return { nextExpectedRevision: replay, position: positionOf(last.index) };
    }
    checkExpectedRevision(stream, state, expected);
    const last = this.#log.push(state ?? this.#log.getOrCreate(stream), stream, prepared);
    return { nextExpectedRevision: last.revision, position: positionOf(last.index) };
  }

  read(stream: string, options: ReadOptions = {}): AsyncIterable<RecordedEvent> {
    return this.#readStream(stream, options);
  }

  async *#readStream(stream: string, options: ReadOptions): AsyncGenerator<RecordedEvent> {
    this.#assertOpen();
    assertStreamName(stream);
    const direction = toDirection(options.direction);
    const maxCount = toMaxCount(options.maxCount);
    const from = options.from ?? "start";
    if (from !== "start" && from !== "end" && (typeof from !== "bigint" || from < 0n)) {
      throw new ValidationError(`from must be "start", "end" or a non-negative bigint revision`, "from");
    }
    const state = this.#log.stream(stream);
    if (!state) throw new StreamNotFoundError(stream);
    if (state.tombstoned) throw new StreamDeletedError(stream);
    if (state.softDeleted) throw new StreamNotFoundError(stream);

    const firstVisible = this.#log.firstVisibleRevision(state);
    const lastRevision = BigInt(state.events.length) - 1n;
    const step = direction === "forwards" ? 1n : -1n;
    let revision =
      from === "start" ? (direction === "forwards" ? firstVisible : lastRevision)
      : from === "end" ? (direction === "forwards" ? lastRevision + 1n : lastRevision)
      : from;
    if (direction === "forwards" && revision < firstVisible) revision = firstVisible;
    // Snapshot the end so a read started before an append does not chase new events.
    const end = direction === "forwards" ? lastRevision : firstVisible;
    const now = Date.now();
    let delivered = 0n;
    while (direction === "forwards" ? revision <= end : revision >= end) {
      if (maxCount !== undefined && delivered >= maxCount) return;
      options.signal?.throwIfAborted();
      const stored = state.events[Number(revision)];
      revision += step;
      if (!stored || !this.#log.isVisible(state, stored, now, firstVisible)) continue;
      delivered++;
      yield toRecordedEvent(stored, this.#codecs);
    }
  }

  readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    return readAllEvents(this.#log, this.#codecs, options, () => this.#assertOpen());
  }

  subscribe(target: SubscriptionTarget, options: SubscribeOptions = {}): Subscription {
    return subscribeInMemory(this.#log, this.#codecs, target, options, this.#closing.signal, () => this.#assertOpen());
  }

  async delete(stream: string, options: DeleteOptions = {}): Promise<void> {
    const state = this.#checkDeletable(stream, options);
    if (!state || state.softDeleted) throw new StreamNotFoundError(stream);
    state.softDeleted = true;
    state.deletedBefore = BigInt(state.events.length);
    this.#log.notify();
  }

  async tombstone(stream: string, options: DeleteOptions = {}): Promise<void> {
    const state = this.#checkDeletable(stream, options);
    (state ?? this.#log.getOrCreate(stream)).tombstoned = true;
    this.#log.notify();
  }

  /** Shared checks of delete and tombstone; returns the stream's state if it has one. */
  #checkDeletable(stream: string, options: DeleteOptions): StreamState | undefined {
    this.#assertOpen();
    assertStreamName(stream);
    const expected = options.expectedRevision ?? "any";
    assertExpectedRevision(expected);
    const state = this.#log.stream(stream);
    if (state?.tombstoned) throw new StreamDeletedError(stream);
    checkExpectedRevision(stream, state, expected);
    return state;
  }

  async getStreamMetadata(stream: string): Promise<StreamMetadata> {
    this.#assertOpen();
    assertStreamName(stream);
    const state = this.#log.stream(stream);
    if (state?.tombstoned) throw new StreamDeletedError(stream);
    return { ...(state?.metadata ?? {}) };
  }

  async setStreamMetadata(stream: string, metadata: StreamMetadata): Promise<void> {
    this.#assertOpen();
    assertStreamName(stream);
    const valid = validateStreamMetadata(metadata);
    const state = this.#log.stream(stream);
    if (state?.tombstoned) throw new StreamDeletedError(stream);
    (state ?? this.#log.getOrCreate(stream)).metadata = valid;
    this.#log.notify();
  }

  /** Nothing to reach: resolves while open (options are still checked, as on every backend). */
  async ping(options: PingOptions = {}): Promise<void> {
    this.#assertOpen();
    await pingWithin("memory", options, async () => this.#assertOpen());
  }

  async close(): Promise<void> {
    if (this.#closing.signal.aborted) return;
    this.#closing.abort(new ClosedError("EventStream closed"));
  }

  #assertOpen(): void {
    if (this.#closing.signal.aborted) throw new ClosedError("This EventStream has been closed");
  }
}

/** The revision a stream is at for expected-revision checks: undefined when it does not exist. */
function currentRevision(state: StreamState | undefined): bigint | undefined {
  if (!state || state.softDeleted || state.events.length === 0) return undefined;
  return BigInt(state.events.length) - 1n;
}

function checkExpectedRevision(stream: string, state: StreamState | undefined, expected: ExpectedRevision): void {
  if (expected === "any") return;
  const current = currentRevision(state);
  const actual = current ?? "no_stream";
  const ok =
    expected === "no_stream" ? current === undefined
    : expected === "stream_exists" ? current !== undefined
    : current === expected;
  if (!ok) throw new WrongExpectedRevisionError(stream, expected, actual);
}

/**
 * EventStoreDB treats a batch whose ids are already stored, in order, right after the expected
 * revision as a retry: it succeeds without writing. Returns the last revision of such a batch.
 */
function findIdempotentReplay(
  state: StreamState,
  events: readonly PreparedEvent[],
  expected: ExpectedRevision,
): bigint | undefined {
  if (!events[0]!.idGiven) return undefined;
  const first = state.ids.get(events[0]!.id);
  if (first === undefined) return undefined;
  const expectedFirst =
    expected === "no_stream" ? 0n : typeof expected === "bigint" ? expected + 1n : first;
  if (first !== expectedFirst) return undefined;
  for (let i = 1; i < events.length; i++) {
    if (state.ids.get(events[i]!.id) !== first + BigInt(i)) return undefined;
  }
  return first + BigInt(events.length) - 1n;
}
