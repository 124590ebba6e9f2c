import type { CodecRegistry } from "../../core/codec.js";
import { deferred, type Deferred } from "../../core/deferred.js";
import { SerializationError } from "../../core/errors.js";
import type { EventMetadata, RecordedEvent } from "../../core/event.js";
import type { StreamMetadata } from "../../core/event-stream.js";
import { Position } from "../../core/position.js";
import type { PreparedEvent } from "../../core/prepare.js";

export const MEMORY_BACKEND = "memory";

/** One stored event: its encoded form, as a real backend would hold it. */
export interface StoredEvent {
  readonly streamId: string;
  readonly revision: bigint;
  /** Index in the global log, the event's position. */
  readonly index: number;
  readonly event: PreparedEvent;
  readonly createdAt: Date;
}

export interface StreamState {
  /** Every event ever appended; the array index is the revision (revisions never restart). */
  readonly events: StoredEvent[];
  /** Event id → revision, for idempotent retries. */
  readonly ids: Map<string, bigint>;
  /** Revisions below this were removed by a soft delete. */
  deletedBefore: bigint;
  /** A soft-deleted stream reads as missing until its next append. */
  softDeleted: boolean;
  tombstoned: boolean;
  metadata: StreamMetadata;
}

/**
 * The store behind the memory adapter: per-stream arrays plus one global log. Appends push onto
 * both (O(1) amortised); nothing is copied or recounted per append.
 */
export class MemoryLog {
  readonly streams = new Map<string, StreamState>();
  readonly all: StoredEvent[] = [];
  /** Created only when someone waits, so appends without subscribers allocate no promise. */
  #changed: Deferred<void> | undefined;

  stream(streamId: string): StreamState | undefined {
    return this.streams.get(streamId);
  }

  getOrCreate(streamId: string): StreamState {
    let state = this.streams.get(streamId);
    if (!state) {
      state = { events: [], ids: new Map(), deletedBefore: 0n, softDeleted: false, tombstoned: false, metadata: {} };
      this.streams.set(streamId, state);
    }
    return state;
  }

  push(state: StreamState, streamId: string, events: readonly PreparedEvent[]): StoredEvent {
    const createdAt = new Date();
    let last!: StoredEvent;
    for (const event of events) {
      const revision = BigInt(state.events.length);
      last = { streamId, revision, index: this.all.length, event, createdAt };
      state.events.push(last);
      state.ids.set(event.id, revision);
      this.all.push(last);
    }
    state.softDeleted = false;
    this.notify();
    return last;
  }

  notify(): void {
    const previous = this.#changed;
    this.#changed = undefined;
    previous?.resolve();
  }

  /** Resolves at the next change to the log (append, delete, metadata). */
  changed(): Promise<void> {
    return (this.#changed ??= deferred()).promise;
  }

  /** Resolves at the next change to the log or when `signal` aborts. */
  nextChange(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    const changed = this.changed();
    return new Promise((resolve) => {
      const onAbort = () => resolve();
      signal.addEventListener("abort", onAbort, { once: true });
      void changed.then(() => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      });
    });
  }

  /** The first revision a reader may see, after soft delete, truncation and max count. */
  firstVisibleRevision(state: StreamState): bigint {
    let first = state.deletedBefore;
    const { truncateBefore, maxCount } = state.metadata;
    if (truncateBefore !== undefined && truncateBefore > first) first = truncateBefore;
    if (maxCount !== undefined) {
      const byCount = BigInt(state.events.length) - BigInt(maxCount);
      if (byCount > first) first = byCount;
    }
    return first;
  }

  isVisible(state: StreamState, stored: StoredEvent, now: number, firstVisible = this.firstVisibleRevision(state)): boolean {
    if (stored.revision < firstVisible) return false;
    const maxAge = state.metadata.maxAgeSeconds;
    return maxAge === undefined || now - stored.createdAt.getTime() <= maxAge * 1000;
  }
}

export function positionOf(index: number): Position {
  return new Position(MEMORY_BACKEND, [BigInt(index)]);
}

/** Decodes a stored event through its codec, so callers get what a real backend would return. */
export function toRecordedEvent(stored: StoredEvent, codecs: CodecRegistry): RecordedEvent {
  const { event } = stored;
  let data: unknown;
  try {
    data = codecs.get(event.contentType).decode(event.data);
  } catch (cause) {
    throw new SerializationError(
      `Event ${event.id} in "${stored.streamId}" cannot be decoded as ${event.contentType}`,
      event.contentType,
      { cause },
    );
  }
  return {
    streamId: stored.streamId,
    revision: stored.revision,
    position: positionOf(stored.index),
    id: event.id,
    type: event.type,
    data,
    metadata: copyMetadata(event.metadata),
    contentType: event.contentType,
    schemaVersion: event.schemaVersion,
    createdAt: new Date(stored.createdAt.getTime()),
  };
}

/** A copy the caller may mutate; most events carry no metadata, which needs no deep clone. */
function copyMetadata(metadata: EventMetadata): EventMetadata {
  for (const _ in metadata) return structuredClone(metadata);
  return {};
}
