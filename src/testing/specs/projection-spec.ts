import { deepStrictEqual } from "node:assert/strict";
import { createMemoryEventStream } from "../../adapters/memory/index.js";
import type { DomainEvent } from "../../core/domain/decider.js";
import { passThroughCodec } from "../../core/domain/event-codec.js";
import { createProjection, type ProjectionDefinition } from "../../core/domain/projection.js";
import { resolveTarget } from "../../core/subscription-target.js";
import { isThenableCall, MISSING_EXPECTATION, toGivenEventData, type GivenEvent } from "./spec-support.js";

/** A given event, optionally with the stream it is in (default: one stream of the source). */
export type ProjectionGivenEvent<TEvent extends DomainEvent> = GivenEvent<TEvent> & { readonly streamId?: string };

/** A fresh projection and a way to look at its read model, made anew for every scenario. */
export interface ProjectionFixture<TEvent extends DomainEvent, TReadModel> {
  readonly projection: ProjectionDefinition<TEvent>;
  readonly readModel: () => TReadModel | Promise<TReadModel>;
}

/** A given/then spec of a projection, made by `projectionSpec()`. */
export interface ProjectionSpec<TEvent extends DomainEvent, TReadModel> {
  given(events: readonly ProjectionGivenEvent<TEvent>[]): {
    /** Appends the events to a fresh memory adapter, runs the projection until caught up, compares. */
    then(expected: TReadModel): Promise<void>;
  };
}

/**
 * Given/then for projections on the memory adapter.
 *
 * @example
 * const spec = projectionSpec(() => {
 *   const balances = new Map<string, number>();
 *   return { projection: balancesProjection(balances), readModel: () => balances };
 * });
 * await spec.given([{ streamId: "account-1", type: "Deposited", data: { amount: 5 } }]).then(new Map([["account-1", 5]]));
 */
export function projectionSpec<TEvent extends DomainEvent, TReadModel>(
  fixture: () => ProjectionFixture<TEvent, TReadModel>,
): ProjectionSpec<TEvent, TReadModel> {
  return {
    given: (events) => ({
      then(...args: unknown[]): Promise<void> {
        if (isThenableCall(args)) {
          args[1](new TypeError(MISSING_EXPECTATION));
          return Promise.resolve();
        }
        return run(fixture(), events, args[0] as TReadModel);
      },
    }),
  };
}

async function run<TEvent extends DomainEvent, TReadModel>(
  fixture: ProjectionFixture<TEvent, TReadModel>,
  events: readonly ProjectionGivenEvent<TEvent>[],
  expected: TReadModel,
): Promise<void> {
  const eventStream = createMemoryEventStream();
  const codec = fixture.projection.events ?? passThroughCodec<TEvent>();
  const defaultStream = defaultStreamOf(fixture.projection.source);
  const projection = createProjection(fixture.projection, { eventStream });
  try {
    for (const [i, event] of events.entries()) {
      await eventStream.append(event.streamId ?? defaultStream, [toGivenEventData(codec, event, i)]);
    }
    await projection.start();
    await projection.waitUntilCaughtUp(10_000);
    deepStrictEqual(await fixture.readModel(), expected, "The read model differs");
  } finally {
    await projection.stop();
    await eventStream.close();
  }
}

function defaultStreamOf(source: ProjectionDefinition<DomainEvent>["source"]): string {
  const target = resolveTarget(source);
  if (target.kind === "stream") return target.stream;
  if (target.kind === "category") return `${target.category}-spec`;
  return "spec-1";
}
