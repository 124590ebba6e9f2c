import { CommandHandler, getInMemoryEventStore, isExpectedVersionConflictError } from "@event-driven-io/emmett";
import type { BenchEvent, CartState } from "../types.js";
import { evolveCart, INITIAL_CART, type Subject } from "./subject.js";

/** Emmett's in-memory store (pinned devDependency), used only by the benchmark. */
export async function createEmmettMemory(): Promise<Subject> {
  const store = getInMemoryEventStore();
  const handleCommand = CommandHandler<CartState, BenchEvent>({
    evolve: evolveCart,
    initialState: () => INITIAL_CART,
  });

  return {
    name: "emmett-mem",
    family: "memory",
    expectedRevision: true,
    notes: ["command handler: Emmett's own CommandHandler", "no catch-up subscription on its in-memory store"],
    async append(stream, events, expected) {
      // Emmett versions count events (1-based): revision r is version r + 1; -1n (no stream) is 0n.
      const options = expected === undefined ? undefined : { expectedStreamVersion: expected + 1n };
      const result = await store.appendToStream(stream, events as BenchEvent[], options);
      return result.nextExpectedStreamVersion - 1n;
    },
    conflictRevision(error) {
      if (!isExpectedVersionConflictError(error)) return undefined;
      // Emmett keeps the current version as a string (its toString()); absent = no stream.
      const current = (error as unknown as { current?: string }).current;
      return current === undefined ? -1n : BigInt(current) - 1n;
    },
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
    async close() {},
  };
}
