/**
 * A domain event as domain code sees it: a type tag and its data. Unions of these, discriminated
 * by `type`, are what deciders emit and evolve over.
 */
export interface DomainEvent<TType extends string = string, TData = unknown> {
  readonly type: TType;
  readonly data: TData;
}

/**
 * The functional heart of an event-sourced model:
 * - `initialState` is the state of a stream with no events;
 * - `evolve` folds one event into the state (pure, never throws for a valid event);
 * - `decide` turns a command and the current state into the events to append, or throws a
 *   domain error when an invariant would be broken.
 *
 * A decider never names a backend; the command handler runs it against any `EventStream`.
 *
 * @example
 * const counter: Decider<{ type: "Add"; by: number }, { type: "Added"; data: { by: number } }, number> = {
 *   initialState: 0,
 *   evolve: (state, event) => state + event.data.by,
 *   decide: (command) => [{ type: "Added", data: { by: command.by } }],
 * };
 */
export interface Decider<TCommand, TEvent extends DomainEvent, TState> {
  readonly initialState: TState;
  evolve(state: TState, event: TEvent): TState;
  decide(command: TCommand, state: TState): readonly TEvent[];
}

/** The command type of a decider. */
export type CommandOf<D> = D extends Decider<infer C, DomainEvent, unknown> ? C : never;
/** The event type of a decider. */
export type EventOf<D> = D extends Decider<unknown, infer E, unknown> ? E : never;
/** The state type of a decider. */
export type StateOf<D> = D extends Decider<unknown, DomainEvent, infer S> ? S : never;

/** Folds events into a state with a decider's `evolve`, starting from `state` (the initial state by default). */
export function foldEvents<TEvent extends DomainEvent, TState>(
  decider: Pick<Decider<unknown, TEvent, TState>, "initialState" | "evolve">,
  events: Iterable<TEvent>,
  state: TState = decider.initialState,
): TState {
  let current = state;
  for (const event of events) current = decider.evolve(current, event);
  return current;
}
