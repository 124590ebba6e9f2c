import { randomUUID } from "node:crypto";
import Database from "better-sqlite3";
import type { BenchEvent, CartState } from "../types.js";
import { BENCH_SYNCHRONOUS, benchDatabaseFile } from "./sqlite-file.js";
import { evolveCart, INITIAL_CART, type Subject } from "./subject.js";

class RawConflict extends Error {
  constructor(readonly actual: bigint) {
    super("wrong expected revision");
  }
}

interface RawRow {
  readonly position: number;
  readonly revision: number;
  readonly id: string;
  readonly type: string;
  readonly data: Buffer;
}

/**
 * The floor of SQLite through better-sqlite3: one table with the stream/revision index, prepared
 * INSERTs of a batch in one BEGIN IMMEDIATE transaction, the expected revision read inside it,
 * JSON data; a read returns, like the memory floor's envelope, each event's id, type, data,
 * revision and position. No validation, no stream rows, no metadata, no idempotency: what any
 * store pays.
 */
export async function createSqliteRaw(): Promise<Subject> {
  const file = benchDatabaseFile("raw");
  const db = new Database(file.path);
  db.pragma("journal_mode = WAL");
  db.pragma(`synchronous = ${BENCH_SYNCHRONOUS.toUpperCase()}`);
  db.exec(
    "CREATE TABLE events (position INTEGER PRIMARY KEY, stream TEXT NOT NULL, revision INTEGER NOT NULL, id TEXT NOT NULL, " +
      "type TEXT NOT NULL, data BLOB NOT NULL, created_at INTEGER NOT NULL); CREATE UNIQUE INDEX events_stream ON events (stream, revision)",
  );
  const last = db.prepare<[string], number | null>("SELECT max(revision) FROM events WHERE stream = ?").pluck();
  const insert = db.prepare("INSERT INTO events (stream, revision, id, type, data, created_at) VALUES (?, ?, ?, ?, ?, ?)");
  const rows = db.prepare<[string], RawRow>("SELECT position, revision, id, type, data FROM events WHERE stream = ? ORDER BY revision");
  const write = db.transaction((stream: string, events: readonly BenchEvent[], expected: bigint | undefined): bigint => {
    let revision = last.get(stream) ?? -1;
    if (expected !== undefined && BigInt(revision) !== expected) throw new RawConflict(BigInt(revision));
    const now = Date.now();
    for (const event of events) insert.run(stream, ++revision, randomUUID(), event.type, Buffer.from(JSON.stringify(event.data)), now);
    return BigInt(revision);
  });
  const readEvents = (stream: string) =>
    rows.all(stream).map((row) => ({ id: row.id, type: row.type, revision: row.revision, position: row.position, data: JSON.parse(row.data.toString()) as unknown }));

  return {
    name: "sqlite-raw",
    family: "sqlite",
    expectedRevision: true,
    notes: [`better-sqlite3 directly, synchronous=${BENCH_SYNCHRONOUS}, WAL`, "reads return id, type, data, revision, position", "no catch-up subscription"],
    async append(stream, events, expected) {
      return write.immediate(stream, events, expected);
    },
    conflictRevision: (error) => (error instanceof RawConflict ? error.actual : undefined),
    async read(stream) {
      let count = 0;
      for (const event of readEvents(stream)) if (event.data !== undefined) count++;
      return count;
    },
    async handle(stream, command) {
      for (;;) {
        const events = readEvents(stream);
        const state: CartState = events.reduce(evolveCart, INITIAL_CART);
        try {
          write.immediate(stream, [command], BigInt(events.length) - 1n);
          return state;
        } catch (error) {
          if (!(error instanceof RawConflict)) throw error;
        }
      }
    },
    async close() {
      db.close();
      file.remove();
    },
  };
}
