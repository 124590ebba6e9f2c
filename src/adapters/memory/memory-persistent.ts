import type { CodecRegistry } from "../../core/codec.js";
import { deferred, type Deferred } from "../../core/deferred.js";
import type {
  DriverDelivery,
  DriverPersistentConnection,
  PersistentDriver,
  ResolvedPersistentTarget,
  ValidPersistentSettings,
} from "../../core/driver.js";
import { ClosedError, StreamNotFoundError, ValidationError } from "../../core/errors.js";
import type { RecordedEvent } from "../../core/event.js";
import type { NackAction } from "../../core/event-stream.js";
import { compileFilter, positionIndex } from "./memory-read-all.js";
import { toRecordedEvent, type MemoryLog, type StoredEvent } from "./memory-log.js";

const DEFAULTS = { maxRetryCount: 10, messageTimeoutMs: 30_000 };

interface InFlight {
  readonly stored: StoredEvent;
  readonly retryCount: number;
  readonly timer: ReturnType<typeof setTimeout>;
}

/** One consumer group: a cursor over the log, a retry queue, in-flight events and parked ones. */
class Group {
  settings: { maxRetryCount: number; messageTimeoutMs: number };
  /** Next index in the global log to consider. */
  cursor: number;
  readonly retries: { stored: StoredEvent; retryCount: number }[] = [];
  readonly inFlight = new Map<string, InFlight>();
  readonly parked: StoredEvent[] = [];
  readonly waiters = new Set<Deferred<void>>();
  deleted = false;

  constructor(
    readonly matches: (stored: StoredEvent) => boolean,
    settings: ValidPersistentSettings,
    log: MemoryLog,
  ) {
    this.settings = { ...DEFAULTS, ...pickSettings(settings) };
    this.cursor = startIndex(settings.startFrom, log, matches);
  }

  wake(): void {
    for (const waiter of this.waiters) waiter.resolve();
    this.waiters.clear();
  }

  /** The next event for a consumer, or undefined when nothing is deliverable now. */
  take(log: MemoryLog): { stored: StoredEvent; retryCount: number } | undefined {
    const retry = this.retries.shift();
    if (retry) return retry;
    while (this.cursor < log.all.length) {
      const stored = log.all[this.cursor++]!;
      if (this.matches(stored)) return { stored, retryCount: 0 };
    }
    return undefined;
  }

  settle(id: string): InFlight | undefined {
    const entry = this.inFlight.get(id);
    if (entry) {
      clearTimeout(entry.timer);
      this.inFlight.delete(id);
    }
    return entry;
  }

  retryOrPark(stored: StoredEvent, retryCount: number): void {
    if (retryCount > this.settings.maxRetryCount) this.parked.push(stored);
    else this.retries.push({ stored, retryCount });
    this.wake();
  }
}

/** Competing consumers over the memory log, with EventStoreDB's ack/nack semantics. */
export class MemoryPersistentDriver implements PersistentDriver {
  readonly #groups = new Map<string, Group>();

  constructor(
    private readonly log: MemoryLog,
    private readonly codecs: CodecRegistry,
  ) {}

  async create(target: ResolvedPersistentTarget, group: string, settings: ValidPersistentSettings): Promise<void> {
    const key = groupKey(target, group);
    if (this.#groups.has(key)) throw new ValidationError(`Persistent subscription group "${group}" already exists`, "group");
    this.#groups.set(key, new Group(targetMatcher(target), settings, this.log));
  }

  async update(target: ResolvedPersistentTarget, group: string, settings: ValidPersistentSettings): Promise<void> {
    const existing = this.#get(target, group);
    existing.settings = { ...existing.settings, ...pickSettings(settings) };
    if (settings.startFrom !== undefined) existing.cursor = startIndex(settings.startFrom, this.log, existing.matches);
    existing.wake();
  }

  async delete(target: ResolvedPersistentTarget, group: string): Promise<void> {
    const existing = this.#get(target, group);
    existing.deleted = true;
    for (const id of [...existing.inFlight.keys()]) existing.settle(id);
    existing.wake();
    this.#groups.delete(groupKey(target, group));
  }

  connect(target: ResolvedPersistentTarget, group: string, bufferSize: number, signal: AbortSignal): DriverPersistentConnection {
    const self = this;
    let mine = 0; // events delivered to this connection and not yet settled
    async function* deliveries(): AsyncGenerator<DriverDelivery> {
      const state = self.#get(target, group);
      const stopWaiting = deferred();
      signal.addEventListener("abort", () => stopWaiting.resolve(), { once: true });
      while (!signal.aborted && !state.deleted) {
        const next = mine < bufferSize ? state.take(self.log) : undefined;
        if (!next) {
          const waiter = deferred();
          state.waiters.add(waiter);
          await Promise.race([waiter.promise, self.log.changed(), stopWaiting.promise]);
          state.waiters.delete(waiter);
          continue;
        }
        mine++;
        yield self.#deliver(state, next.stored, next.retryCount, () => mine--);
      }
      if (state.deleted && !signal.aborted) throw new ClosedError(`Persistent subscription group "${group}" was deleted`);
    }
    const iterator = deliveries();
    return {
      [Symbol.asyncIterator]: () => iterator,
      close: async () => {
        await iterator.return(undefined);
      },
    };
  }

  /** The store closes: in-flight timers must not keep the process alive. */
  close(): void {
    for (const state of this.#groups.values()) {
      for (const id of [...state.inFlight.keys()]) state.settle(id);
      state.wake();
    }
  }

  #deliver(state: Group, stored: StoredEvent, retryCount: number, release: () => void): DriverDelivery {
    const id = stored.id;
    const timer = setTimeout(() => {
      if (state.settle(id)) {
        release();
        state.retryOrPark(stored, retryCount + 1);
      }
    }, state.settings.messageTimeoutMs);
    timer.unref?.();
    state.inFlight.set(id, { stored, retryCount, timer });
    const event: RecordedEvent = toRecordedEvent(stored, this.codecs);
    const settle = (): boolean => {
      if (!state.settle(id)) return false;
      release();
      state.wake();
      return true;
    };
    return {
      event,
      retryCount,
      ack: async () => {
        settle();
      },
      nack: async (action: NackAction) => {
        if (!settle()) return;
        if (action === "park") state.parked.push(stored);
        else if (action === "retry") state.retryOrPark(stored, retryCount + 1);
      },
    };
  }

  #get(target: ResolvedPersistentTarget, group: string): Group {
    const existing = this.#groups.get(groupKey(target, group));
    if (!existing) {
      throw new StreamNotFoundError(`persistent subscription group "${group}" on ${describeTarget(target)}`);
    }
    return existing;
  }
}

function groupKey(target: ResolvedPersistentTarget, group: string): string {
  return `${describeTarget(target)}::${group}`;
}

function describeTarget(target: ResolvedPersistentTarget): string {
  return target.kind === "stream" ? target.stream : "$all";
}

function targetMatcher(target: ResolvedPersistentTarget): (stored: StoredEvent) => boolean {
  if (target.kind === "stream") return (stored) => stored.streamId === target.stream;
  return compileFilter(target.filter);
}

function pickSettings(settings: ValidPersistentSettings): Partial<Group["settings"]> {
  const result: Partial<Group["settings"]> = {};
  if (settings.maxRetryCount !== undefined) result.maxRetryCount = settings.maxRetryCount;
  if (settings.messageTimeoutMs !== undefined) result.messageTimeoutMs = settings.messageTimeoutMs;
  return result;
}

function startIndex(
  startFrom: ValidPersistentSettings["startFrom"],
  log: MemoryLog,
  matches: (stored: StoredEvent) => boolean,
): number {
  if (startFrom === undefined || startFrom === "end") return log.all.length;
  if (startFrom === "start") return 0;
  if (typeof startFrom === "bigint") {
    // A stream revision: start at the global index of that revision of the stream.
    for (let i = 0; i < log.all.length; i++) {
      const stored = log.all[i]!;
      if (matches(stored) && stored.revision >= startFrom) return i;
    }
    return log.all.length;
  }
  return positionIndex(startFrom);
}
