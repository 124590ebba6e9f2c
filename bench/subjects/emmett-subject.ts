import { CommandHandler, isExpectedVersionConflictError, type EventStore } from "@event-driven-io/emmett";
import type { BenchEvent, CartState, Family, SubjectName } from "../types.js";
import { evolveCart, INITIAL_CART, type Subject } from "./subject.js";

export interface EmmettSubjectOptions {
  readonly name: SubjectName;
  readonly family: Family;
  readonly notes: readonly string[];
  /**
   * The actual revision after a conflict, where the store's error does not carry it; by default
   * the error's `current` version (absent = no stream).
   */
  readonly actualRevision?: (stream: string) => Promise<bigint>;
  close(): Promise<void>;
}

class EmmettConflict extends Error {
  constructor(
    readonly actual: bigint,
    cause: unknown,
  ) {
    super("wrong expected version", { cause });
  }
}

/**
 * Any Emmett event store as a bench subject, with Emmett's own CommandHandler. Emmett versions
 * count events (1-based): revision r is version r + 1, and -1n (no stream) is version 0n.
 */
export function emmettSubject(store: EventStore, options: EmmettSubjectOptions): Subject {
  const handleCommand = CommandHandler<CartState, BenchEvent>({ evolve: evolveCart, initialState: () => INITIAL_CART });
  return {
    name: options.name,
    family: options.family,
    expectedRevision: true,
    notes: ["command handler: Emmett's own CommandHandler", ...options.notes],
    async append(stream, events, expected) {
      const appendOptions = expected === undefined ? undefined : { expectedStreamVersion: expected + 1n };
      try {
        const result = await store.appendToStream(stream, events as BenchEvent[], appendOptions);
        return result.nextExpectedStreamVersion - 1n;
      } catch (error) {
        if (!isExpectedVersionConflictError(error)) throw error;
        // Emmett keeps the current version as a string (its toString()); absent = no stream.
        const current = (error as unknown as { current?: string }).current;
        const actual = options.actualRevision ? await options.actualRevision(stream) : current === undefined ? -1n : BigInt(current) - 1n;
        throw new EmmettConflict(actual, error);
      }
    },
    conflictRevision: (error) => (error instanceof EmmettConflict ? error.actual : undefined),
    async read(stream) {
      const result = await store.readStream<BenchEvent>(stream);
      let count = 0;
      for (const event of result.events) if (event.data !== undefined) count++;
      return count;
    },
    async handle(stream, command) {
      let loaded: CartState = INITIAL_CART;
      await handleCommand(store, stream, (state) => {
        loaded = state;
        return [command];
      });
      return loaded;
    },
    close: () => options.close(),
  };
}
