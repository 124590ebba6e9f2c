import { everyCapability, type Capabilities } from "../../core/capabilities.js";
import type { CodecRegistry } from "../../core/codec.js";
import type {
  AppendRequest,
  DeleteRequest,
  EventStoreDriver,
  ReadAllRequest,
  ReadRequest,
} from "../../core/driver.js";
import { StreamDeletedError, StreamNotFoundError, WrongExpectedRevisionError } from "../../core/errors.js";
import type { AppendResult, ExpectedRevision, RecordedEvent } from "../../core/event.js";
import type { StreamMetadata } from "../../core/event-stream.js";
import type { PreparedEvent } from "../../core/prepare.js";
import type { Feed } from "../../core/subscription.js";
import type { ResolvedTarget } from "../../core/subscription-target.js";
import { MEMORY_BACKEND, MemoryLog, type StreamState } from "./memory-log.js";
import { MemoryPersistentDriver } from "./memory-persistent.js";
import { readAllEvents } from "./memory-read-all.js";
import { MemoryStreamRead } from "./memory-stream-read.js";
import { memoryFeed } from "./memory-subscriptions.js";

/** EventStoreDB's default, so tests on memory meet the limit production will. */
export const DEFAULT_MAX_APPEND_BYTES = 1_048_576;

/** The reference driver: a log in this process with every capability, data kept encoded. */
export class MemoryDriver implements EventStoreDriver {
  readonly capabilities: Capabilities;
  readonly displayName = "memory";
  readonly positionParts = 1;
  readonly persistent: MemoryPersistentDriver;
  readonly #log = new MemoryLog();
  readonly #codecs: CodecRegistry;

  constructor(codecs: CodecRegistry, maxAppendBytes = DEFAULT_MAX_APPEND_BYTES) {
    this.#codecs = codecs;
    this.capabilities = everyCapability(MEMORY_BACKEND, maxAppendBytes);
    this.persistent = new MemoryPersistentDriver(this.#log, codecs);
  }

  async append({ stream, events, expectedRevision }: AppendRequest): Promise<AppendResult> {
    const state = this.#log.stream(stream);
    if (state?.tombstoned) throw new StreamDeletedError(stream);
    const replay = state && findIdempotentReplay(this.#log, state, events, expectedRevision);
    if (replay !== undefined) {
      const last = state!.events[replay]!;
      return { nextExpectedRevision: BigInt(replay), position: last.position };
    }
    checkExpectedRevision(stream, state, expectedRevision);
    const last = this.#log.push(state ?? this.#log.getOrCreate(stream), stream, events);
    return { nextExpectedRevision: BigInt(last.revision), position: last.position };
  }

  read(request: ReadRequest): AsyncIterable<RecordedEvent> {
    return new MemoryStreamRead(this.#log, this.#codecs, request);
  }

  readAll(request: ReadAllRequest): AsyncIterable<RecordedEvent> {
    return readAllEvents(this.#log, this.#codecs, request);
  }

  feed(target: ResolvedTarget): Feed {
    return memoryFeed(this.#log, this.#codecs, target);
  }

  async delete({ stream, expectedRevision }: DeleteRequest): Promise<void> {
    const state = this.#deletable(stream, expectedRevision);
    if (!state || state.softDeleted) throw new StreamNotFoundError(stream);
    state.softDeleted = true;
    state.deletedBefore = BigInt(state.events.length);
    this.#log.notify();
  }

  async tombstone({ stream, expectedRevision }: DeleteRequest): Promise<void> {
    const state = this.#deletable(stream, expectedRevision);
    (state ?? this.#log.getOrCreate(stream)).tombstoned = true;
    this.#log.notify();
  }

  async getStreamMetadata(stream: string): Promise<StreamMetadata> {
    const state = this.#log.stream(stream);
    if (state?.tombstoned) throw new StreamDeletedError(stream);
    return { ...(state?.metadata ?? {}) };
  }

  async setStreamMetadata(stream: string, metadata: StreamMetadata): Promise<void> {
    const state = this.#log.stream(stream);
    if (state?.tombstoned) throw new StreamDeletedError(stream);
    (state ?? this.#log.getOrCreate(stream)).metadata = { ...metadata };
    this.#log.notify();
  }

  async ping(): Promise<void> {
    // In this process: reachable while open, and the runtime refuses a closed store.
  }

  async close(): Promise<void> {
    this.persistent.close();
  }

  /** Shared checks of delete and tombstone; returns the stream's state if it has one. */
  #deletable(stream: string, expected: ExpectedRevision): StreamState | undefined {
    const state = this.#log.stream(stream);
    if (state?.tombstoned) throw new StreamDeletedError(stream);
    checkExpectedRevision(stream, state, expected);
    return state;
  }
}

/** The revision a stream is at for expected-revision checks: undefined when it does not exist. */
function currentRevision(state: StreamState | undefined): bigint | undefined {
  if (!state || state.softDeleted || state.events.length === 0) return undefined;
  return BigInt(state.events.length) - 1n;
}

/** The backend's own concurrency check (what a server does with the expected revision it is sent). */
function checkExpectedRevision(stream: string, state: StreamState | undefined, expected: ExpectedRevision): void {
  if (expected === "any") return;
  const current = currentRevision(state);
  const ok =
    expected === "no_stream" ? current === undefined
    : expected === "stream_exists" ? current !== undefined
    : current === expected;
  if (!ok) throw new WrongExpectedRevisionError(stream, expected, current ?? "no_stream");
}

/**
 * EventStoreDB treats a batch whose ids are already stored, in order, right after the expected
 * revision as a retry: it succeeds without writing. Returns the last revision of such a batch.
 */
function findIdempotentReplay(
  log: MemoryLog,
  state: StreamState,
  events: readonly PreparedEvent[],
  expected: ExpectedRevision,
): number | undefined {
  if (!events[0]!.idGiven) return undefined;
  if (expected === "no_stream" || typeof expected === "bigint") {
    // A retry sits right after the expected revision: compare the ids stored there, no index needed.
    const first = expected === "no_stream" ? 0 : Number(expected) + 1;
    for (let i = 0; i < events.length; i++) {
      if (state.events[first + i]?.id !== events[i]!.id) return undefined;
    }
    return first + events.length - 1;
  }
  // "any" or "stream_exists": the batch may sit anywhere in the stream.
  const ids = log.idsOf(state);
  const first = ids.get(events[0]!.id);
  if (first === undefined) return undefined;
  for (let i = 1; i < events.length; i++) {
    if (ids.get(events[i]!.id) !== first + i) return undefined;
  }
  return first + events.length - 1;
}
