import type { CodecRegistry } from "../../core/codec.js";
import { deferred, type Deferred } from "../../core/deferred.js";
import { SerializationError } from "../../core/errors.js";
import type { EventMetadata, RecordedEvent } from "../../core/event.js";
import type { StreamMetadata } from "../../core/event-stream.js";
import { trustedPosition, type Position } from "../../core/position.js";
import type { PreparedEvent } from "../../core/prepare.js";

export const MEMORY_BACKEND = "memory";

/**
 * One stored event: its encoded form, as a real backend would hold it, in one flat record (the
 * prepared event's fields copied, not the prepared event kept: one object fewer per event). Numbers,
 * not bigints or Dates: every user's test suite runs on this store, and a bigint and a Date per
 * event cost more heap than the event's data (they are made when an event is read).
 */
export interface StoredEvent {
  readonly streamId: string;
  readonly revision: number;
  /** Index in the global log, the event's position. */
  readonly index: number;
  /** Milliseconds since the epoch. */
  readonly createdAt: number;
  /** The event's position, made once and handed out by every read of it (positions are immutable). */
  readonly position: Position;
  readonly id: string;
  readonly type: string;
  readonly contentType: string;
  readonly schemaVersion: number;
  /** The codec's text form where it has one (`PreparedEvent.text`), its bytes otherwise. */
  readonly encoded: string | Uint8Array;
  readonly metadata: EventMetadata;
}

export interface StreamState {
  /** Every event ever appended; the array index is the revision (revisions never restart). */
  readonly events: StoredEvent[];
  /**
   * Event id → revision, for idempotent retries; built at the stream's first append that names
   * its ids (a generated id cannot be a retry), then kept up to date.
   */
  ids: Map<string, number> | undefined;
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
      state = { events: [], ids: undefined, deletedBefore: 0n, softDeleted: false, tombstoned: false, metadata: {} };
      this.streams.set(streamId, state);
    }
    return state;
  }

  push(state: StreamState, streamId: string, events: readonly PreparedEvent[]): StoredEvent {
    const createdAt = Date.now();
    const { ids } = state;
    let last!: StoredEvent;
    for (const event of events) {
      const revision = state.events.length;
      const index = this.all.length;
      last = {
        streamId,
        revision,
        index,
        createdAt,
        position: positionOf(index),
        id: event.id,
        type: event.type,
        contentType: event.contentType,
        schemaVersion: event.schemaVersion,
        encoded: event.text ?? event.data,
        metadata: event.metadata,
      };
      state.events.push(last);
      ids?.set(event.id, revision);
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

  /** The stream's id → revision index, built on first use. */
  idsOf(state: StreamState): Map<string, number> {
    if (state.ids === undefined) {
      state.ids = new Map();
      for (const stored of state.events) state.ids.set(stored.id, stored.revision);
    }
    return state.ids;
  }

  /**
   * The first revision a reader may see, after soft delete, truncation and max count (a number:
   * a truncation point past any safe integer still lies past every stored revision).
   */
  firstVisibleRevision(state: StreamState): number {
    let first = Number(state.deletedBefore);
    const { truncateBefore, maxCount } = state.metadata;
    if (truncateBefore !== undefined && Number(truncateBefore) > first) first = Number(truncateBefore);
    if (maxCount !== undefined) first = Math.max(first, state.events.length - maxCount);
    return first;
  }

  isVisible(state: StreamState, stored: StoredEvent, now: number, firstVisible = this.firstVisibleRevision(state)): boolean {
    if (stored.revision < firstVisible) return false;
    const maxAge = state.metadata.maxAgeSeconds;
    return maxAge === undefined || now - stored.createdAt <= maxAge * 1000;
  }
}

function positionOf(index: number): Position {
  // Frozen, as one position may be handed out by every read of its event.
  return Object.freeze(trustedPosition(MEMORY_BACKEND, Object.freeze([BigInt(index)])));
}

/** Decodes a stored event through its codec, so callers get what a real backend would return. */
export function toRecordedEvent(stored: StoredEvent, codecs: CodecRegistry): RecordedEvent {
  const { encoded, contentType } = stored;
  let data: unknown;
  try {
    const codec = codecs.get(contentType);
    if (typeof encoded !== "string") data = codec.decode(encoded);
    else data = codec.decodeText ? codec.decodeText(encoded) : codec.decode(Buffer.from(encoded, "utf8"));
  } catch (cause) {
    throw new SerializationError(
      `Event ${stored.id} in "${stored.streamId}" cannot be decoded as ${contentType}`,
      contentType,
      { cause },
    );
  }
  return {
    streamId: stored.streamId,
    revision: BigInt(stored.revision),
    position: stored.position,
    id: stored.id,
    type: stored.type,
    data,
    metadata: copyMetadata(stored.metadata),
    contentType,
    schemaVersion: stored.schemaVersion,
    createdAt: new Date(stored.createdAt),
  };
}

/**
 * A copy the caller may mutate. Most events carry no metadata or only flat values (ids, names),
 * which a shallow copy covers; nested values get a deep clone.
 */
function copyMetadata(metadata: EventMetadata): EventMetadata {
  const copy: Record<string, unknown> = {};
  for (const key in metadata) {
    const value = metadata[key];
    if (typeof value === "object" && value !== null) return structuredClone(metadata);
    copy[key] = value;
  }
  return copy;
}
