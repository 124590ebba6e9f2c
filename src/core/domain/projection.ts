import { ClosedError, ValidationError } from "../errors.js";
import type { RecordedEvent } from "../event.js";
import type { EventStream, Subscription, SubscriptionTarget } from "../event-stream.js";
import { observabilityOf } from "../observability/observability.js";
import { ProjectionBatchSpan } from "../observability/projection-batch.js";
import { targetDestination } from "../observability/traced-operations.js";
import { resolveTarget } from "../subscription-target.js";
import { MemoryCheckpointStore, type CheckpointStore } from "./checkpoint-store.js";
import { sendToDeadLetter } from "./dead-letter.js";
import type { DomainEvent } from "./decider.js";
import { passThroughCodec, type EventCodec } from "./event-codec.js";
import { hasReached, probeHead, timeoutError } from "./projection-progress.js";
import { delay, retryDelayMs } from "./retry-policy.js";

/** One function per event type the projection cares about; other types are passed over. */
export type ProjectionHandlers<TEvent extends DomainEvent> = {
  readonly [K in TEvent["type"]]?: (event: Extract<TEvent, { type: K }>, recorded: RecordedEvent) => void | Promise<void>;
};

/**
 * What happens when a handler throws: it is retried `retries` times with jittered exponential
 * backoff, then the event is skipped, dead-lettered (and the projection goes on), or the
 * projection stops with the error (the default) and resumes from that event on the next start.
 * A stored event that fails validation is not retried: it goes straight to `then`.
 */
export interface ProjectionErrorPolicy {
  readonly retries?: number;
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly then?: "stop" | "skip" | "dead-letter";
  /** Required with `then: "dead-letter"`. */
  readonly deadLetterStream?: string;
  /** Told about every event given up on (skipped or dead-lettered), with the last error. */
  readonly onGiveUp?: (error: unknown, event: RecordedEvent) => void;
}

/** What a projection is: its name, source, handlers, and what to do on errors. */
export interface ProjectionDefinition<TEvent extends DomainEvent> {
  /** Names the checkpoint; unique per read model. */
  readonly name: string;
  /** A stream id, `{ category }`, or `"$all"` / `{ all: true, filter }`. */
  readonly source: SubscriptionTarget;
  /** Decodes (validates, upcasts) events; an `EventRegistry`. Types it does not know are passed over. */
  readonly events?: EventCodec<TEvent>;
  readonly handlers: ProjectionHandlers<TEvent>;
  /** Empties the read model; `rebuild()` calls it before replaying from the start. */
  readonly reset?: () => void | Promise<void>;
  readonly onError?: ProjectionErrorPolicy;
}

/** Identity function that gives `handlers` their types from `events`. */
export function defineProjection<TEvent extends DomainEvent>(definition: ProjectionDefinition<TEvent>): ProjectionDefinition<TEvent> {
  return definition;
}

/** Where a projection runs: the store and its checkpoint store. */
export interface ProjectionOptions {
  readonly eventStream: EventStream;
  /** Memory by default: a restarted process then starts over. */
  readonly checkpoints?: CheckpointStore;
  /** Save the checkpoint every N events (default 1); it is always saved on stop. */
  readonly checkpointEvery?: number;
}

/** Where a projection is in its life. */
export type ProjectionStatus = "idle" | "running" | "stopped" | "failed";

/** Counts of a projection since it started. */
export interface ProjectionStats {
  /** Events handled (or passed over) since start. */
  readonly processed: number;
  readonly retried: number;
  readonly skipped: number;
  readonly deadLettered: number;
}

interface Waiter {
  readonly head: RecordedEvent;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * A read model kept up to date from a subscription, resumable from its checkpoint. Delivery is
 * at-least-once: after a crash, events after the last saved checkpoint are handled again.
 */
export class Projection<TEvent extends DomainEvent> {
  readonly #definition: ProjectionDefinition<TEvent>;
  readonly #eventStream: EventStream;
  readonly #checkpoints: CheckpointStore;
  readonly #checkpointEvery: number;
  readonly #codec: EventCodec<TEvent>;
  readonly #byRevision: boolean;
  #status: ProjectionStatus = "idle";
  #error: unknown;
  #subscription: Subscription | undefined;
  #stopping = new AbortController();
  #loop: Promise<void> | undefined;
  #last: RecordedEvent | undefined;
  #startCheckpoint: string | undefined;
  #sinceSave = 0;
  #stats = { processed: 0, retried: 0, skipped: 0, deadLettered: 0 };
  #waiters: Waiter[] = [];
  readonly #batch: ProjectionBatchSpan | undefined;

  constructor(definition: ProjectionDefinition<TEvent>, options: ProjectionOptions) {
    if (typeof definition.name !== "string" || definition.name.length === 0) {
      throw new ValidationError("A projection needs a non-empty name", "name");
    }
    const then = definition.onError?.then ?? "stop";
    if (then === "dead-letter" && !definition.onError?.deadLetterStream) {
      throw new ValidationError('onError.then "dead-letter" needs onError.deadLetterStream', "onError.deadLetterStream");
    }
    this.#byRevision = resolveTarget(definition.source).kind === "stream";
    this.#definition = definition;
    this.#eventStream = options.eventStream;
    this.#checkpoints = options.checkpoints ?? new MemoryCheckpointStore();
    this.#checkpointEvery = Math.max(1, options.checkpointEvery ?? 1);
    this.#codec = definition.events ?? passThroughCodec<TEvent>();
    const tracing = observabilityOf(options.eventStream)?.tracing;
    this.#batch = tracing && new ProjectionBatchSpan(tracing, options.eventStream.capabilities.backend, definition.name, targetDestination(resolveTarget(definition.source)));
  }

  get name(): string {
    return this.#definition.name;
  }
  get status(): ProjectionStatus {
    return this.#status;
  }
  /** Why the projection stopped, when `status` is "failed". */
  get error(): unknown {
    return this.#error;
  }
  get stats(): ProjectionStats {
    return { ...this.#stats };
  }

  /** Loads the checkpoint and starts following the source after it. */
  async start(): Promise<void> {
    if (this.#status === "running") return;
    this.#stats = { processed: 0, retried: 0, skipped: 0, deadLettered: 0 };
    this.#error = undefined;
    this.#last = undefined;
    this.#startCheckpoint = await this.#checkpoints.load(this.name);
    if (this.#startCheckpoint !== undefined && this.#byRevision && !/^\d+$/.test(this.#startCheckpoint)) {
      throw new ValidationError(
        `Projection "${this.name}" has checkpoint "${this.#startCheckpoint}", which is not a revision of its source stream; ` +
          "was the source changed? rebuild() starts over",
        "checkpoint",
      );
    }
    const from = this.#fromCheckpoint();
    const subscription = this.#eventStream.subscribe(this.#definition.source, { from });
    this.#subscription = subscription;
    this.#stopping = new AbortController();
    this.#status = "running";
    this.#loop = this.#run(subscription);
  }

  /** Stops following and saves the checkpoint. */
  async stop(): Promise<void> {
    const subscription = this.#subscription;
    if (!subscription) return;
    this.#subscription = undefined;
    this.#stopping.abort();
    await subscription.close();
    await this.#loop;
    if (this.#status === "running") this.#status = "stopped";
    if (this.#sinceSave > 0) await this.#save();
    this.#batch?.end();
    this.#rejectWaiters(this.#error ?? new Error(`Projection "${this.name}" was stopped`));
  }

  /** Forgets the checkpoint, empties the read model (`reset`) and replays everything. */
  async rebuild(): Promise<void> {
    await this.stop();
    await this.#checkpoints.clear(this.name);
    await this.#definition.reset?.();
    await this.start();
  }

  /**
   * Resolves once every event the source held when this was called has been handled; rejects if
   * the projection fails or stops first, or after `timeoutMs` (default 30 s). Meant for tests.
   */
  async waitUntilCaughtUp(timeoutMs = 30_000): Promise<void> {
    if (this.#status !== "running") {
      throw this.#error ?? new ValidationError(`Projection "${this.name}" is not running; call start() first`, "status");
    }
    const processed = this.#last;
    const from = processed ? (this.#byRevision ? processed.revision : processed.position) : this.#fromCheckpoint();
    const head = await probeHead(this.#eventStream, this.#definition.source, from, timeoutMs);
    if (!head || hasReached(this.#byRevision, this.#last, head)) return;
    let timer: NodeJS.Timeout | undefined;
    let waiter: Waiter | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        waiter = { head, resolve, reject };
        this.#waiters.push(waiter);
        timer = setTimeout(() => reject(timeoutError(`Projection "${this.name}" did not catch up within ${timeoutMs} ms`)), timeoutMs);
        if (this.#status !== "running") reject(this.#error ?? new Error(`Projection "${this.name}" stopped`));
      });
    } finally {
      clearTimeout(timer);
      this.#waiters = this.#waiters.filter((w) => w !== waiter);
    }
  }

  #fromCheckpoint(): bigint | string | "start" {
    if (this.#startCheckpoint === undefined) return "start";
    return this.#byRevision ? BigInt(this.#startCheckpoint) : this.#startCheckpoint;
  }

  async #run(subscription: Subscription): Promise<void> {
    try {
      for await (const recorded of subscription) {
        const batch = this.#batch;
        if (batch) {
          batch.add(recorded);
          await batch.run(() => this.#process(recorded));
        } else {
          await this.#process(recorded);
        }
        this.#last = recorded;
        this.#stats.processed++;
        if (++this.#sinceSave >= this.#checkpointEvery) await (batch ? batch.run(() => this.#save()) : this.#save());
        this.#resolveWaiters();
      }
      // Subscriptions end only when closed: if we did not close it, something else did.
      if (this.#subscription === subscription) throw new ClosedError(`The subscription of projection "${this.name}" ended`);
    } catch (error) {
      if (this.#subscription !== subscription || error instanceof StoppedDuringRetry) return; // stop(): not a failure
      this.#batch?.end(error);
      this.#status = "failed";
      this.#error = error;
      this.#subscription = undefined;
      await subscription.close();
      // The handler's error is the one to report; a failing save after it would only hide it.
      if (this.#sinceSave > 0) await this.#save().catch(() => undefined);
      this.#rejectWaiters(error);
    }
  }

  async #process(recorded: RecordedEvent): Promise<void> {
    if (!this.#codec.has(recorded.type)) return;
    const handler = (this.#definition.handlers as Record<string, ProjectionHandler | undefined>)[recorded.type];
    if (!handler) return;
    const decoded = this.#codec.decode(recorded);
    if (!decoded.ok) return this.#giveUp(recorded, decoded.error, 0);
    const policy = this.#definition.onError ?? {};
    const attempts = 1 + Math.max(0, policy.retries ?? 0);
    for (let attempt = 1; ; attempt++) {
      try {
        await handler(decoded.event, recorded);
        return;
      } catch (error) {
        if (attempt >= attempts) return this.#giveUp(recorded, error, attempt);
        this.#stats.retried++;
        const backoff = { maxAttempts: attempts, initialDelayMs: policy.initialDelayMs ?? 10, maxDelayMs: policy.maxDelayMs ?? 1_000 };
        await delay(retryDelayMs(attempt, backoff), this.#stopping.signal);
        // Stopped while waiting: leave the event unhandled; the checkpoint is still before it.
        if (this.#stopping.signal.aborted) throw new StoppedDuringRetry();
      }
    }
  }

  async #giveUp(recorded: RecordedEvent, error: unknown, attempts: number): Promise<void> {
    const policy = this.#definition.onError ?? {};
    const then = policy.then ?? "stop";
    if (then === "stop") throw error;
    if (then === "dead-letter") {
      await sendToDeadLetter(this.#eventStream, policy.deadLetterStream!, recorded, `projection:${this.name}`, error, attempts);
      this.#stats.deadLettered++;
    } else {
      this.#stats.skipped++;
    }
    policy.onGiveUp?.(error, recorded);
  }

  async #save(): Promise<void> {
    const last = this.#last;
    if (!last) return;
    this.#sinceSave = 0;
    try {
      await this.#checkpoints.save(this.name, this.#byRevision ? last.revision.toString() : last.position.toString());
    } finally {
      // The batch ends with the save that commits it.
      this.#batch?.end();
    }
  }

  #resolveWaiters(): void {
    if (this.#waiters.length === 0) return;
    this.#waiters = this.#waiters.filter((waiter) => {
      if (!hasReached(this.#byRevision, this.#last, waiter.head)) return true;
      waiter.resolve();
      return false;
    });
  }

  #rejectWaiters(error: unknown): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter.reject(error);
  }
}

class StoppedDuringRetry extends Error {}

type ProjectionHandler = (event: DomainEvent, recorded: RecordedEvent) => void | Promise<void>;

/** Creates a projection (not started); see `Projection`. */
export function createProjection<TEvent extends DomainEvent>(
  definition: ProjectionDefinition<TEvent>,
  options: ProjectionOptions,
): Projection<TEvent> {
  return new Projection(definition, options);
}
