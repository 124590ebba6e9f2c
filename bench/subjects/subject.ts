import type { BenchEvent, CartState, Family, Servers, SubjectName } from "../types.js";

/**
 * The small surface every subject offers the workloads. Revisions are 0-based; -1n means "the
 * stream does not exist". Each subject translates to its own library's conventions.
 */
export interface Subject {
  readonly name: SubjectName;
  readonly family: Family;
  /** Enforces expected revisions (the contended-writers workload needs it). */
  readonly expectedRevision: boolean;

  /** Appends and returns the revision of the last event written. `expected` undefined = any. */
  append(stream: string, events: readonly BenchEvent[], expected?: bigint): Promise<bigint>;

  /** When `error` is an expected-revision conflict: the stream's actual revision; else undefined. */
  conflictRevision(error: unknown): bigint | undefined;

  /** Reads a whole stream forwards, touching each event's data; resolves to the count. */
  read(stream: string): Promise<number>;

  /**
   * Handles one "add item" command: load the stream, fold it into a CartState, decide one event,
   * append it with the loaded revision as the expected revision. Resolves to the folded state.
   */
  handle(stream: string, command: BenchEvent): Promise<CartState>;

  /** Subscribes to a stream from its start; resolves once `count` events were delivered. */
  catchUp?(stream: string, count: number): Promise<void>;

  /** Loads a stream's state through the command handler, with or without snapshots. */
  loadState?(stream: string, useSnapshots: boolean): Promise<CartState>;
  /** Handles one command through a handler taking a snapshot every 100 events; says whether this one wrote one. */
  handleWithSnapshots?(stream: string, command: BenchEvent): Promise<{ snapshotWritten: boolean }>;

  /** Notes printed in the report (e.g. "fold via read + reduce"). */
  readonly notes?: readonly string[];

  close(): Promise<void>;
}

export type SubjectFactory = (servers: Servers) => Promise<Subject>;

export const INITIAL_CART: CartState = { items: 0, quantity: 0 };

export function evolveCart(state: CartState, event: { readonly data: unknown }): CartState {
  const data = event.data as BenchEvent["data"];
  return { items: state.items + 1, quantity: state.quantity + data.quantity };
}
