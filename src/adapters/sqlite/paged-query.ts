import { setImmediate as nextTurn } from "node:timers/promises";
import { mapSqliteError } from "./errors.js";
import type { EventRow } from "./event-rows.js";
import type { SqliteDatabase, SqliteStatement } from "./database.js";

/**
 * Rows per query. better-sqlite3 is synchronous: a chunk this size takes a few milliseconds, and
 * the event loop runs between chunks, so a 100k-event read never freezes timers or sockets.
 */
export const CHUNK_ROWS = 500;

/** Prepared statements keyed by their SQL, for queries whose shape depends on a filter. */
export class StatementCache {
  readonly #statements = new Map<string, SqliteStatement<unknown[], unknown>>();

  constructor(private readonly db: SqliteDatabase) {}

  /** Each SQL text is always used the same way (rows, raw rows or `pluck`ed values), so its statement can be shared. */
  get<TRow>(sql: string): SqliteStatement<unknown[], TRow> {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.db.prepare<unknown[], unknown>(sql);
      this.#statements.set(sql, statement);
    }
    return statement as SqliteStatement<unknown[], TRow>;
  }

  /** A query of EVENT_COLUMNS, returning raw rows. */
  events(sql: string): SqliteStatement<unknown[], EventRow> {
    return this.get<EventRow>(sql).raw(true);
  }
}

/**
 * Runs `query(limit)` until it returns fewer rows than asked, yielding each chunk and letting the
 * event loop turn between chunks. `query` advances its own cursor from the rows it last returned.
 * Chunks, not rows: the caller's loop over a chunk is synchronous, one async step per chunk.
 */
export async function* pagedChunks(
  operation: string,
  query: (limit: number) => readonly EventRow[],
  maxCount: bigint | undefined,
  signal: AbortSignal | undefined,
): AsyncGenerator<readonly EventRow[]> {
  let remaining = maxCount;
  for (let first = true; ; first = false) {
    if (!first) await nextTurn();
    signal?.throwIfAborted();
    const limit = remaining !== undefined && remaining < BigInt(CHUNK_ROWS) ? Number(remaining) : CHUNK_ROWS;
    let rows: readonly EventRow[];
    try {
      rows = query(limit);
    } catch (error) {
      throw mapSqliteError(error, operation);
    }
    if (rows.length > 0) yield rows;
    if (remaining !== undefined) remaining -= BigInt(rows.length);
    if (rows.length < limit || remaining === 0n) return;
  }
}
