import { isStreamNotFoundError, isUnsupportedOperationError } from "../errors.js";
import type { EventStream } from "../event-stream.js";

/**
 * Where a projection remembers how far it got, as an opaque string (a stream revision or a
 * serialised Position). Implement it to keep checkpoints next to your read model, e.g. in the
 * same SQL transaction as the rows a handler writes.
 */
export interface CheckpointStore {
  load(projection: string): Promise<string | undefined>;
  save(projection: string, checkpoint: string): Promise<void>;
  /** Forgets the checkpoint, so the projection starts from the beginning (used by rebuild). */
  clear(projection: string): Promise<void>;
}

/** Checkpoints in a Map: lost with the process; for tests and throw-away read models. */
export class MemoryCheckpointStore implements CheckpointStore {
  readonly #checkpoints = new Map<string, string>();

  async load(projection: string): Promise<string | undefined> {
    return this.#checkpoints.get(projection);
  }

  async save(projection: string, checkpoint: string): Promise<void> {
    this.#checkpoints.set(projection, checkpoint);
  }

  async clear(projection: string): Promise<void> {
    this.#checkpoints.delete(projection);
  }
}

/** The event type of checkpoints stored in the event store itself. */
export const CHECKPOINT_EVENT_TYPE = "Checkpoint";

/** Options of a checkpoint store kept in the event store. */
export interface EventStreamCheckpointStoreOptions {
  /** The checkpoint stream of a projection; `checkpoint.<projection>` by default. */
  readonly streamName?: (projection: string) => string;
  /**
   * Where the backend supports stream metadata, the checkpoint stream is capped to this many
   * events (default 10) so it does not grow without bound.
   */
  readonly keep?: number;
}

/**
 * Checkpoints stored in the event store itself: each save appends a `Checkpoint` event to the
 * projection's checkpoint stream; load reads the last one (one event backward where the backend
 * reads backward, otherwise the whole capped stream forward).
 */
export class EventStreamCheckpointStore implements CheckpointStore {
  readonly #eventStream: EventStream;
  readonly #streamName: (projection: string) => string;
  readonly #keep: number;
  readonly #capped = new Set<string>();

  constructor(eventStream: EventStream, options: EventStreamCheckpointStoreOptions = {}) {
    this.#eventStream = eventStream;
    this.#streamName = options.streamName ?? ((projection) => `checkpoint.${projection}`);
    this.#keep = options.keep ?? 10;
  }

  async load(projection: string): Promise<string | undefined> {
    const stream = this.#streamName(projection);
    const backward = this.#eventStream.capabilities.readBackward;
    let last: string | null | undefined;
    try {
      const events = backward
        ? this.#eventStream.read(stream, { direction: "backwards", maxCount: 1 })
        : this.#eventStream.read(stream);
      for await (const event of events) {
        if (event.type === CHECKPOINT_EVENT_TYPE) last = (event.data as { checkpoint: string | null }).checkpoint;
      }
    } catch (error) {
      if (isStreamNotFoundError(error)) return undefined;
      throw error;
    }
    return typeof last === "string" ? last : undefined;
  }

  async save(projection: string, checkpoint: string): Promise<void> {
    await this.#append(projection, checkpoint);
  }

  async clear(projection: string): Promise<void> {
    await this.#append(projection, null);
  }

  async #append(projection: string, checkpoint: string | null): Promise<void> {
    const stream = this.#streamName(projection);
    await this.#eventStream.append(stream, [{ type: CHECKPOINT_EVENT_TYPE, data: { checkpoint } }]);
    if (!this.#capped.has(stream) && this.#eventStream.capabilities.streamMetadata && this.#keep > 0) {
      this.#capped.add(stream);
      try {
        await this.#eventStream.setStreamMetadata(stream, { maxCount: this.#keep });
      } catch (error) {
        // Capping is an optimisation; a backend that refuses it still stores correct checkpoints.
        if (!isUnsupportedOperationError(error)) throw error;
      }
    }
  }
}
