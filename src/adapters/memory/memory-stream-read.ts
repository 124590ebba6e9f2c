import type { CodecRegistry } from "../../core/codec.js";
import type { ReadRequest } from "../../core/driver.js";
import { StreamDeletedError, StreamNotFoundError } from "../../core/errors.js";
import type { RecordedEvent } from "../../core/event.js";
import { toRecordedEvent, type MemoryLog, type StoredEvent } from "./memory-log.js";

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * A read of one stream. The events are already in memory, so each `next()` settles at once: a
 * hand-written iterator instead of an async generator, whose per-event suspend and resume was
 * most of a read's cost beside decoding. The stream is looked up on the first `next()`, as a
 * generator would, so a missing stream fails the first step of `for await`.
 */
export class MemoryStreamRead implements AsyncIterableIterator<RecordedEvent> {
  #events: readonly StoredEvent[] = [];
  #opened = false;
  #done = false;
  #revision = 0;
  #end = 0;
  #step = 1;
  #oldest = -Infinity;
  #remaining = Infinity;

  constructor(
    private readonly log: MemoryLog,
    private readonly codecs: CodecRegistry,
    private readonly request: ReadRequest,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<RecordedEvent>> {
    try {
      return Promise.resolve(this.#next());
    } catch (error) {
      this.#done = true;
      return Promise.reject(error);
    }
  }

  return(): Promise<IteratorResult<RecordedEvent>> {
    this.#done = true;
    return Promise.resolve(DONE);
  }

  #next(): IteratorResult<RecordedEvent> {
    if (this.#done) return DONE;
    if (!this.#opened) this.#open();
    const { signal } = this.request;
    const events = this.#events;
    const forwards = this.#step === 1;
    while (this.#remaining > 0 && (forwards ? this.#revision <= this.#end : this.#revision >= this.#end)) {
      signal?.throwIfAborted();
      const stored = events[this.#revision];
      this.#revision += this.#step;
      if (stored === undefined || stored.createdAt < this.#oldest) continue;
      this.#remaining--;
      return { done: false, value: toRecordedEvent(stored, this.codecs) };
    }
    this.#done = true;
    return DONE;
  }

  #open(): void {
    this.#opened = true;
    const { stream, direction, from, maxCount } = this.request;
    const state = this.log.stream(stream);
    if (!state) throw new StreamNotFoundError(stream);
    if (state.tombstoned) throw new StreamDeletedError(stream);
    if (state.softDeleted) throw new StreamNotFoundError(stream);

    const forwards = direction === "forwards";
    const firstVisible = this.log.firstVisibleRevision(state);
    const lastRevision = state.events.length - 1;
    let revision =
      from === "start" ? (forwards ? firstVisible : lastRevision)
      : from === "end" ? (forwards ? lastRevision + 1 : lastRevision)
      // A revision past the end reads nothing forwards and from the end backwards.
      : Math.min(Number(from), lastRevision + 1);
    if (forwards && revision < firstVisible) revision = firstVisible;
    this.#events = state.events;
    this.#revision = revision;
    // Snapshot the end so a read started before an append does not chase new events.
    this.#end = forwards ? lastRevision : firstVisible;
    this.#step = forwards ? 1 : -1;
    // The range already starts (or ends) at the first visible revision; within it only a max age
    // can hide an event.
    const maxAgeSeconds = state.metadata.maxAgeSeconds;
    if (maxAgeSeconds !== undefined) this.#oldest = Date.now() - maxAgeSeconds * 1000;
    if (maxCount !== undefined) this.#remaining = Number(maxCount);
  }
}
