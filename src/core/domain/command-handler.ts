import { randomUUID } from "node:crypto";
import { isWrongExpectedRevisionError, UnsupportedOperationError, ValidationError } from "../errors.js";
import type { EventData, EventMetadata } from "../event.js";
import type { EventStream } from "../event-stream.js";
import type { Position } from "../position.js";
import { observabilityOf } from "../observability/observability.js";
import { ATTR, destinationAttributes, spanName, streamDestination } from "../observability/semconv.js";
import type { OtelTracing, SpanAttributes } from "../observability/tracing.js";
import { assertStreamName } from "../validation.js";
import type { Decider, DomainEvent } from "./decider.js";
import { passThroughCodec, type EventCodec, type InvalidEventPolicy } from "./event-codec.js";
import { deterministicUuid } from "./ids.js";
import { DEFAULT_COMMAND_RETRY, delay, resolveRetryPolicy, retryDelayMs, type RetryPolicy } from "./retry-policy.js";
import { SnapshotStore, type SnapshotPolicy } from "./snapshots.js";
import { loadStream, type LoadedStream } from "./stream-loader.js";

/** What a command handler is built from: the store, the decider, and optional codec, snapshots and retry policy. */
export interface CommandHandlerOptions<TCommand, TEvent extends DomainEvent, TState> {
  readonly eventStream: EventStream;
  readonly decider: Decider<TCommand, TEvent, TState>;
  /** Validates events on append and decodes (and upcasts) them on read; an `EventRegistry`. */
  readonly events?: EventCodec<TEvent>;
  /** What to do with a stored event that fails validation: fail (default) or dead-letter it. */
  readonly invalidEvents?: InvalidEventPolicy;
  readonly snapshots?: SnapshotPolicy<TState>;
  /** Retries after a concurrent writer won the race (WrongExpectedRevisionError). */
  readonly retry?: Partial<RetryPolicy>;
  /**
   * Told when a snapshot could not be written. The command itself had succeeded, so the error
   * is not thrown: it is passed here and returned as `snapshotError` in the result.
   */
  readonly onSnapshotError?: (error: unknown, streamId: string) => void;
}

/** Options of one `CommandHandler.handle` call. */
export interface CommandOptions {
  /**
   * The command's id; becomes each event's `causationId`. Fix it to make retries idempotent:
   * a command whose id is already the causation id of an event in the stream is not applied
   * again. Generated when absent.
   */
  readonly commandId?: string;
  /** Becomes each event's `correlationId`; defaults to the command id. */
  readonly correlationId?: string;
  /** Extra metadata copied into every event. */
  readonly metadata?: Readonly<Record<string, unknown>>;
  readonly signal?: AbortSignal;
}

/** What `CommandHandler.handle` returns: the events, the new state and revision, and how it got there. */
export interface CommandResult<TEvent extends DomainEvent, TState> {
  readonly streamId: string;
  /** The events this command produced (for a duplicate: those it produced the first time, if still loaded). */
  readonly events: readonly TEvent[];
  /** Revision of the stream's last event after the command; undefined if the stream is still empty. */
  readonly nextExpectedRevision: bigint | undefined;
  /** Global position of the last event appended, where the backend has one. */
  readonly position: Position | undefined;
  readonly state: TState;
  /** True when the command had already been applied and was skipped. */
  readonly duplicate: boolean;
  /** Attempts made, the first included. */
  readonly attempts: number;
  /** How many of those attempts lost a race to a concurrent writer and were retried. */
  readonly conflicts: number;
  readonly commandId: string;
  /** Revision of the snapshot written after this command, if one was. */
  readonly snapshotRevision: bigint | undefined;
  /** Set when a snapshot was due but could not be written (the events were appended). */
  readonly snapshotError?: unknown;
}

/**
 * Runs commands against a decider on any EventStream: load (latest snapshot, then the tail) →
 * decide → append with the expected revision → on a conflict, reload and retry with jittered
 * backoff, up to `retry.maxAttempts`.
 */
export class CommandHandler<TCommand, TEvent extends DomainEvent, TState> {
  readonly #eventStream: EventStream;
  readonly #decider: Decider<TCommand, TEvent, TState>;
  readonly #codec: EventCodec<TEvent>;
  readonly #invalidEvents: InvalidEventPolicy;
  readonly #snapshots: SnapshotStore<TState> | undefined;
  readonly #retry: RetryPolicy;
  readonly #onSnapshotError: ((error: unknown, streamId: string) => void) | undefined;
  readonly #deadLettered = new Set<string>();
  readonly #tracing: OtelTracing | undefined;

  constructor(options: CommandHandlerOptions<TCommand, TEvent, TState>) {
    this.#eventStream = options.eventStream;
    this.#decider = options.decider;
    this.#codec = options.events ?? passThroughCodec<TEvent>();
    this.#invalidEvents = options.invalidEvents ?? { onInvalid: "fail" };
    this.#snapshots = options.snapshots ? new SnapshotStore(options.eventStream, options.snapshots) : undefined;
    this.#retry = resolveRetryPolicy(options.retry, DEFAULT_COMMAND_RETRY, "retry");
    this.#onSnapshotError = options.onSnapshotError;
    this.#tracing = observabilityOf(options.eventStream)?.tracing;
  }

  /** The current state of a stream, from its latest snapshot and the events after it. */
  load(streamId: string, signal?: AbortSignal): Promise<LoadedStream<TState>> {
    assertStreamName(streamId, "streamId");
    return loadStream(
      {
        eventStream: this.#eventStream,
        decider: this.#decider,
        codec: this.#codec,
        invalidEvents: this.#invalidEvents,
        snapshots: this.#snapshots,
        deadLettered: this.#deadLettered,
      },
      streamId,
      signal,
    );
  }

  async handle(streamId: string, command: TCommand, options: CommandOptions = {}): Promise<CommandResult<TEvent, TState>> {
    assertStreamName(streamId, "streamId");
    if (!this.#eventStream.capabilities.expectedRevision) {
      throw new UnsupportedOperationError(
        "expectedRevision",
        `The ${this.#eventStream.capabilities.backend} backend cannot enforce expected revisions, which command handling ` +
          `needs to keep invariants under concurrent writers (on Ensign, configure consistency=single-writer)`,
      );
    }
    const commandId = options.commandId ?? randomUUID();
    if (typeof commandId !== "string" || commandId.length === 0) {
      throw new ValidationError("commandId must be a non-empty string", "commandId");
    }
    const metadata: EventMetadata = {
      ...options.metadata,
      correlationId: options.correlationId ?? commandId,
      causationId: commandId,
    };
    const tracing = this.#tracing;
    if (!tracing) return this.#attempts(streamId, command, options, commandId, metadata, undefined);
    const attributes = commandAttributes(this.#eventStream.capabilities.backend, streamId, command);
    return tracing.span(spanName("handle", streamDestination(streamId)), "internal", attributes, async (span) => {
      const result = await this.#attempts(streamId, command, options, commandId, metadata, tracing);
      span.setAttributes({ [ATTR.commandAttempts]: result.attempts, [ATTR.commandConflicts]: result.conflicts, [ATTR.commandDuplicate]: result.duplicate });
      return result;
    });
  }

  /** Attempts until one is not beaten by a concurrent writer, or the retry policy gives up. */
  async #attempts(
    streamId: string,
    command: TCommand,
    options: CommandOptions,
    commandId: string,
    metadata: EventMetadata,
    tracing: OtelTracing | undefined,
  ): Promise<CommandResult<TEvent, TState>> {
    let conflicts = 0;
    for (let attempt = 1; ; attempt++) {
      options.signal?.throwIfAborted();
      try {
        const run = () => this.#attempt(streamId, command, options, commandId, metadata, attempt, conflicts, tracing);
        return await (tracing ? tracing.span("attempt", "internal", { [ATTR.commandAttempt]: attempt }, run) : run());
      } catch (error) {
        if (!isWrongExpectedRevisionError(error) || attempt >= this.#retry.maxAttempts) throw error;
        conflicts++;
        await delay(retryDelayMs(attempt, this.#retry), options.signal);
      }
    }
  }

  /** Load → decide → append (only the append can lose a race: WrongExpectedRevisionError). */
  async #attempt(
    streamId: string,
    command: TCommand,
    options: CommandOptions,
    commandId: string,
    metadata: EventMetadata,
    attempt: number,
    conflicts: number,
    tracing: OtelTracing | undefined,
  ): Promise<CommandResult<TEvent, TState>> {
    const loaded = tracing
      ? await tracing.span(spanName("load", streamDestination(streamId)), "internal", {}, () => this.load(streamId, options.signal))
      : await this.load(streamId, options.signal);
    if (loaded.commandIds.includes(commandId)) return this.#duplicate(loaded, commandId, attempt, conflicts);

    const events = tracing
      ? await tracing.span("decide", "internal", {}, async () => this.#decider.decide(command, loaded.state))
      : this.#decider.decide(command, loaded.state);
    if (events.length === 0) {
      return this.#result(loaded, [], loaded.state, loaded.revision, undefined, commandId, attempt, conflicts, undefined);
    }
    const data = events.map((event, i) => this.#toEventData(event, metadata, streamId, commandId, i));
    const appended = await this.#eventStream.append(streamId, data, {
      expectedRevision: loaded.revision ?? "no_stream",
      signal: options.signal,
    });
    let state = loaded.state;
    for (const event of events) state = this.#decider.evolve(state, event);
    const snapshot = await this.#maybeSnapshot(loaded, state, appended.nextExpectedRevision, commandId);
    const result = this.#result(loaded, events, state, appended.nextExpectedRevision, appended.position, commandId, attempt, conflicts, snapshot.revision);
    return snapshot.error === undefined ? result : { ...result, snapshotError: snapshot.error };
  }

  #toEventData(event: TEvent, metadata: EventMetadata, streamId: string, commandId: string, index: number): EventData {
    const data = this.#codec.toEventData(event, metadata, `events[${index}]`);
    // The same command appending the same events gets the same ids: an append whose outcome was
    // unknown can be re-sent safely on backends with idempotent ids.
    return { ...data, id: deterministicUuid(`command:${commandId}`, `${streamId}#${index}`) };
  }

  async #maybeSnapshot(
    loaded: LoadedStream<TState>,
    state: TState,
    revision: bigint,
    commandId: string,
  ): Promise<{ revision?: bigint; error?: unknown }> {
    if (!this.#snapshots || !this.#snapshots.isDue(revision, loaded.snapshotRevision)) return {};
    try {
      await this.#snapshots.save(loaded.streamId, state, revision, [...loaded.commandIds, commandId]);
      return { revision };
    } catch (error) {
      this.#onSnapshotError?.(error, loaded.streamId);
      return { error: error ?? new Error("snapshot write failed") };
    }
  }

  #duplicate(loaded: LoadedStream<TState>, commandId: string, attempts: number, conflicts: number): CommandResult<TEvent, TState> {
    const previous = (loaded.eventsByCommand.get(commandId) ?? []).flatMap((recorded) => {
      const decoded = this.#codec.decode(recorded);
      return decoded.ok ? [decoded.event] : [];
    });
    return { ...this.#result(loaded, previous, loaded.state, loaded.revision, undefined, commandId, attempts, conflicts, undefined), duplicate: true };
  }

  #result(
    loaded: LoadedStream<TState>,
    events: readonly TEvent[],
    state: TState,
    revision: bigint | undefined,
    position: Position | undefined,
    commandId: string,
    attempts: number,
    conflicts: number,
    snapshotRevision: bigint | undefined,
  ): CommandResult<TEvent, TState> {
    return {
      streamId: loaded.streamId,
      events,
      nextExpectedRevision: revision,
      position,
      state,
      duplicate: false,
      attempts,
      conflicts,
      commandId,
      snapshotRevision,
    };
  }
}

/** Creates a command handler; see `CommandHandler`. */
export function createCommandHandler<TCommand, TEvent extends DomainEvent, TState>(
  options: CommandHandlerOptions<TCommand, TEvent, TState>,
): CommandHandler<TCommand, TEvent, TState> {
  return new CommandHandler(options);
}

/** A command span's attributes: the store, the stream, and the command's type when it has one (never its data). */
function commandAttributes(system: string, streamId: string, command: unknown): SpanAttributes {
  const type = typeof command === "object" && command !== null ? (command as { type?: unknown }).type : undefined;
  return {
    [ATTR.system]: system,
    ...destinationAttributes(streamDestination(streamId)),
    ...(typeof type === "string" ? { "switchyard.command.type": type } : {}),
  };
}
