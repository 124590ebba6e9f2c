import { CommandHandler, isExpectedVersionConflictError } from "@event-driven-io/emmett";
import { getSQLiteEventStore, sqliteConnection } from "@event-driven-io/emmett-sqlite";
import type { BenchEvent, CartState } from "../types.js";
import { BENCH_SYNCHRONOUS, benchDatabaseFile } from "./sqlite-file.js";
import { evolveCart, INITIAL_CART, type Subject } from "./subject.js";

/**
 * Emmett's SQLite store (pinned devDependency, on node-sqlite3), used only by the benchmark: one
 * connection to a new file, set to the same synchronous level as the other SQLite subjects.
 */
export async function createEmmettSqlite(): Promise<Subject> {
  const file = benchDatabaseFile("emmett");
  const connection = sqliteConnection({ fileName: file.path });
  await connection.command(`PRAGMA synchronous = ${BENCH_SYNCHRONOUS.toUpperCase()}`);
  const store = getSQLiteEventStore({
    fileName: file.path,
    connectionOptions: { singleton: true, connection },
    schema: { autoMigration: "CreateOrUpdate" },
  });
  const handleCommand = CommandHandler<CartState, BenchEvent>({ evolve: evolveCart, initialState: () => INITIAL_CART });

  return {
    name: "emmett-sqlite",
    family: "sqlite",
    expectedRevision: true,
    notes: [
      `node-sqlite3 through Emmett's connection, synchronous=${BENCH_SYNCHRONOUS}, WAL`,
      "command handler: Emmett's own CommandHandler",
      "not in catch-up-100k (no catch-up subscription of this shape) nor contended-8 (its conflict error carries no usable current version)",
    ],
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
    async close() {
      connection.close();
      file.remove();
    },
  };
}
