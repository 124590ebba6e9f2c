import { isStreamNotFoundError, ValidationError } from "../errors.js";
import type { EventStream } from "../event-stream.js";
import { deterministicUuid } from "./ids.js";

/** The event type of snapshot events in a snapshot stream. */
export const SNAPSHOT_EVENT_TYPE = "Snapshot";

/**
 * When and how a decider's state is snapshotted. Snapshots live in their own stream, written
 * through the same port, so they work on every backend.
 */
export interface SnapshotPolicy<TState> {
  /** Snapshot when at least this many events were appended since the last snapshot. */
  readonly every: number;
  /**
   * Version of the state's shape. Bump it whenever `evolve` or the state type changes: snapshots
   * of any other version are ignored and the state is rebuilt from the events.
   */
  readonly version: number;
  /** The snapshot stream of a stream; `snapshot.<streamId>` by default. */
  readonly streamName?: (streamId: string) => string;
  /** State → JSON-safe data (identity by default). */
  readonly toSnapshot?: (state: TState) => unknown;
  /** Data → state (identity by default). */
  readonly fromSnapshot?: (data: unknown) => TState;
  /** How many recent command ids a snapshot remembers for idempotent retries (default 100). */
  readonly rememberCommands?: number;
}

/** What a snapshot event holds. */
export interface SnapshotData {
  readonly stateVersion: number;
  /** The revision of the last event folded into `state`, as a decimal string. */
  readonly revision: string;
  readonly state: unknown;
  /** Ids of the latest commands applied up to `revision`, newest last. */
  readonly commandIds: readonly string[];
}

/** A snapshot as loaded: the state, the revision it covers and the commands it includes. */
export interface LoadedSnapshot<TState> {
  readonly state: TState;
  readonly revision: bigint;
  readonly commandIds: readonly string[];
}

/** Where a stream's snapshots are kept unless the policy names another stream. */
export function defaultSnapshotStreamName(streamId: string): string {
  return `snapshot.${streamId}`;
}

export function validateSnapshotPolicy(policy: SnapshotPolicy<unknown>): void {
  if (!Number.isSafeInteger(policy.every) || policy.every < 1) {
    throw new ValidationError("snapshots.every must be a positive integer", "snapshots.every");
  }
  if (!Number.isSafeInteger(policy.version) || policy.version < 1) {
    throw new ValidationError("snapshots.version must be a positive integer", "snapshots.version");
  }
}

/** Reads and writes the snapshots of one decider through the port. */
export class SnapshotStore<TState> {
  readonly #eventStream: EventStream;
  readonly #policy: SnapshotPolicy<TState>;

  constructor(eventStream: EventStream, policy: SnapshotPolicy<TState>) {
    validateSnapshotPolicy(policy as SnapshotPolicy<unknown>);
    this.#eventStream = eventStream;
    this.#policy = policy;
  }

  get policy(): SnapshotPolicy<TState> {
    return this.#policy;
  }

  streamOf(streamId: string): string {
    return (this.#policy.streamName ?? defaultSnapshotStreamName)(streamId);
  }

  /**
   * The latest usable snapshot. With `readBackward` this reads one event; without it (Ensign) the
   * whole snapshot stream is read forward and the last one kept (one event per snapshot taken).
   * A snapshot of another state version is ignored.
   */
  async load(streamId: string, signal?: AbortSignal): Promise<LoadedSnapshot<TState> | undefined> {
    const stream = this.streamOf(streamId);
    let latest: SnapshotData | undefined;
    try {
      const read = this.#eventStream.capabilities.readBackward
        ? this.#eventStream.read(stream, { direction: "backwards", maxCount: 1, signal })
        : this.#eventStream.read(stream, { signal });
      for await (const event of read) {
        if (event.type === SNAPSHOT_EVENT_TYPE) latest = event.data as SnapshotData;
      }
    } catch (error) {
      if (isStreamNotFoundError(error)) return undefined;
      throw error;
    }
    if (!latest || latest.stateVersion !== this.#policy.version || typeof latest.revision !== "string") return undefined;
    const state = this.#policy.fromSnapshot ? this.#policy.fromSnapshot(latest.state) : (latest.state as TState);
    return { state, revision: BigInt(latest.revision), commandIds: Array.isArray(latest.commandIds) ? latest.commandIds : [] };
  }

  /** True when enough events were appended since `lastSnapshotRevision` (-1n: none yet). */
  isDue(revision: bigint, lastSnapshotRevision: bigint): boolean {
    return revision - lastSnapshotRevision >= BigInt(this.#policy.every);
  }

  async save(streamId: string, state: TState, revision: bigint, commandIds: readonly string[]): Promise<void> {
    const keep = this.#policy.rememberCommands ?? 100;
    const data: SnapshotData = {
      stateVersion: this.#policy.version,
      revision: revision.toString(),
      state: this.#policy.toSnapshot ? this.#policy.toSnapshot(state) : state,
      commandIds: keep > 0 ? commandIds.slice(-keep) : [],
    };
    await this.#eventStream.append(this.streamOf(streamId), [
      {
        type: SNAPSHOT_EVENT_TYPE,
        data,
        // Two writers snapshotting the same revision write the same event.
        id: deterministicUuid("snapshot", `${streamId}@${revision}:v${this.#policy.version}`),
        metadata: { snapshotOf: streamId },
      },
    ]);
  }
}
