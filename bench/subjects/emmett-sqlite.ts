import { getSQLiteEventStore, sqliteConnection } from "@event-driven-io/emmett-sqlite";
import { BENCH_SYNCHRONOUS, benchDatabaseFile } from "./sqlite-file.js";
import { emmettSubject } from "./emmett-subject.js";
import type { Subject } from "./subject.js";

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
  return emmettSubject(store, {
    name: "emmett-sqlite",
    family: "sqlite",
    notes: [
      `node-sqlite3 through Emmett's connection, synchronous=${BENCH_SYNCHRONOUS}, WAL`,
      "not in catch-up-100k (no catch-up subscription of this shape) nor contended-8 (its conflict error carries no usable current version)",
    ],
    async close() {
      connection.close();
      file.remove();
    },
  });
}
