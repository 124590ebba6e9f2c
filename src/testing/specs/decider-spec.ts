import { deepStrictEqual, AssertionError } from "node:assert/strict";
import { createMemoryEventStream } from "../../adapters/memory/index.js";
import { createCommandHandler } from "../../core/domain/command-handler.js";
import type { Decider, DomainEvent } from "../../core/domain/decider.js";
import { passThroughCodec, type EventCodec } from "../../core/domain/event-codec.js";
import { isErrorClass, isThenableCall, MISSING_EXPECTATION, toGivenEventData, type GivenEvent } from "./spec-support.js";

/** What `then` accepts: the events the command must produce, or the error it must throw. */
export type DeciderExpectation<TEvent extends DomainEvent> =
  | readonly TEvent[]
  | Error
  | (abstract new (...args: never[]) => Error);

/** Options of `deciderSpec()`: the codec events are checked with. */
export interface DeciderSpecOptions<TEvent extends DomainEvent> {
  /** Stores and reads events through this codec (an `EventRegistry`), as production code would. */
  readonly events?: EventCodec<TEvent>;
}

/** A given/when/then spec of a decider, made by `deciderSpec()`. */
export interface DeciderSpec<TCommand, TEvent extends DomainEvent> {
  given(events: readonly GivenEvent<TEvent>[]): {
    when(command: TCommand): {
      /** Runs the scenario on a fresh memory adapter; rejects with an AssertionError on mismatch. */
      then(expected: DeciderExpectation<TEvent>): Promise<void>;
    };
  };
}

/**
 * Given/when/then for deciders, run through the real command handler on the memory adapter:
 * the given events are appended, the command handled, and the events it appended are read back
 * (decoded by `events`) and compared.
 *
 * @example
 * const spec = deciderSpec(account, { events: accountEvents });
 * await spec.given([opened]).when({ type: "Withdraw", amount: 500 }).then(InsufficientFundsError);
 */
export function deciderSpec<TCommand, TEvent extends DomainEvent, TState>(
  decider: Decider<TCommand, TEvent, TState>,
  options: DeciderSpecOptions<TEvent> = {},
): DeciderSpec<TCommand, TEvent> {
  const codec = options.events ?? passThroughCodec<TEvent>();
  return {
    given: (givenEvents) => ({
      when: (command) => ({
        then(...args: unknown[]): Promise<void> {
          if (isThenableCall(args)) {
            args[1](new TypeError(MISSING_EXPECTATION));
            return Promise.resolve();
          }
          return run(decider, codec, givenEvents, command, args[0] as DeciderExpectation<TEvent>);
        },
      }),
    }),
  };
}

const STREAM = "spec-1";

async function run<TCommand, TEvent extends DomainEvent, TState>(
  decider: Decider<TCommand, TEvent, TState>,
  codec: EventCodec<TEvent>,
  givenEvents: readonly GivenEvent<TEvent>[],
  command: TCommand,
  expected: DeciderExpectation<TEvent>,
): Promise<void> {
  const eventStream = createMemoryEventStream();
  try {
    if (givenEvents.length > 0) {
      await eventStream.append(STREAM, givenEvents.map((event, i) => toGivenEventData(codec, event, i)));
    }
    const handler = createCommandHandler({ eventStream, decider, events: codec });
    let outcome: { events: DomainEvent[] } | { error: unknown };
    try {
      const result = await handler.handle(STREAM, command);
      const appended: DomainEvent[] = [];
      if (result.events.length > 0) {
        for await (const recorded of eventStream.read(STREAM, { from: BigInt(givenEvents.length) })) {
          const decoded = codec.decode(recorded);
          if (!decoded.ok) throw decoded.error;
          appended.push({ type: decoded.event.type, data: decoded.event.data });
        }
      }
      outcome = { events: appended };
    } catch (error) {
      outcome = { error };
    }
    check(outcome, expected);
  } finally {
    await eventStream.close();
  }
}

function check<TEvent extends DomainEvent>(outcome: { events: DomainEvent[] } | { error: unknown }, expected: DeciderExpectation<TEvent>): void {
  if (Array.isArray(expected)) {
    if ("error" in outcome) {
      throw new AssertionError({ message: `Expected events but the command threw: ${describe(outcome.error)}`, actual: outcome.error, expected });
    }
    deepStrictEqual(outcome.events, expected.map((e: DomainEvent) => ({ type: e.type, data: e.data })), "The command produced other events");
    return;
  }
  if (!("error" in outcome)) {
    throw new AssertionError({ message: `Expected an error but the command produced ${outcome.events.length} event(s)`, actual: outcome.events, expected });
  }
  const error = outcome.error;
  if (isErrorClass(expected)) {
    if (!(error instanceof expected)) {
      throw new AssertionError({ message: `Expected a ${expected.name} but got ${describe(error)}`, actual: error, expected });
    }
    return;
  }
  const expectedError = expected as Error;
  if (!(error instanceof Error) || error.constructor !== expectedError.constructor || error.message !== expectedError.message) {
    throw new AssertionError({ message: `Expected ${describe(expectedError)} but got ${describe(error)}`, actual: error, expected: expectedError });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
