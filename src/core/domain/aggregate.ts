import type { Decider, DomainEvent } from "./decider.js";

/**
 * A class-based alternative to a decider, for those who prefer methods to functions. Subclass it,
 * implement `evolve`, give the class a static `initialState`, and write command methods that check
 * invariants and `raise` events:
 *
 * @example
 * class Counter extends Aggregate<{ type: "Added"; data: { by: number } }, number> {
 *   static readonly initialState = 0;
 *   evolve(state: number, event: { type: "Added"; data: { by: number } }) { return state + event.data.by; }
 *   add(by: number) { if (by <= 0) throw new Error("positive only"); this.raise({ type: "Added", data: { by } }); }
 * }
 * const handler = createCommandHandler({ eventStream, decider: aggregateDecider(Counter) });
 * await handler.handle("counter-1", (counter) => counter.add(2));
 */
export abstract class Aggregate<TEvent extends DomainEvent, TState> {
  #state: TState;
  readonly #raised: TEvent[] = [];

  constructor(state: TState) {
    this.#state = state;
  }

  /** The state after every loaded and raised event. */
  get state(): TState {
    return this.#state;
  }

  /** Events raised by the command methods called on this instance, oldest first. */
  get raisedEvents(): readonly TEvent[] {
    return this.#raised;
  }

  /** How an event changes the state. Pure: no checks here, those belong in command methods. */
  abstract evolve(state: TState, event: TEvent): TState;

  /** Records an event and applies it at once, so later checks in the same command see it. */
  protected raise(...events: TEvent[]): void {
    for (const event of events) {
      this.#state = this.evolve(this.#state, event);
      this.#raised.push(event);
    }
  }
}

/** A command for an aggregate: a call of its methods. */
export type AggregateCommand<TAggregate> = (aggregate: TAggregate) => void;

type AggregateEvent<A> = A extends Aggregate<infer E, unknown> ? E : never;
type AggregateState<A> = A extends Aggregate<DomainEvent, infer S> ? S : never;

/** An aggregate class: constructed from a state, with the state of an empty stream as a static. */
export interface AggregateClass<TAggregate extends Aggregate<DomainEvent, unknown>> {
  new (state: AggregateState<TAggregate>): TAggregate;
  readonly initialState: AggregateState<TAggregate>;
}

/** Turns an aggregate class into a decider, so the same command handler runs both styles. */
export function aggregateDecider<TAggregate extends Aggregate<DomainEvent, unknown>>(
  AggregateType: AggregateClass<TAggregate>,
): Decider<AggregateCommand<TAggregate>, AggregateEvent<TAggregate>, AggregateState<TAggregate>> {
  const folder = new AggregateType(AggregateType.initialState);
  return {
    initialState: AggregateType.initialState,
    evolve: (state, event) => folder.evolve(state, event) as AggregateState<TAggregate>,
    decide(command, state) {
      const aggregate = new AggregateType(state);
      command(aggregate);
      return aggregate.raisedEvents as readonly AggregateEvent<TAggregate>[];
    },
  };
}
