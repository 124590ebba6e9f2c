/**
 * The part of better-sqlite3's API this adapter uses, declared here so that the package's types
 * (`SqliteEventStream.database`) do not require @types/better-sqlite3 in the user's project.
 */
export interface SqliteDatabase {
  /** The file's path as opened, or ":memory:". */
  readonly name: string;
  readonly open: boolean;
  prepare<TParams extends unknown[] = unknown[], TRow = unknown>(sql: string): SqliteStatement<TParams, TRow>;
  /** A function that runs `fn` in a transaction; `.immediate()` begins it with BEGIN IMMEDIATE. */
  transaction<F extends (...args: never[]) => unknown>(fn: F): SqliteTransaction<F>;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  exec(sql: string): unknown;
  close(): unknown;
}

export interface SqliteStatement<TParams extends unknown[] = unknown[], TRow = unknown> {
  all(...params: TParams): TRow[];
  get(...params: TParams): TRow | undefined;
  run(...params: TParams): { changes: number; lastInsertRowid: number | bigint };
  /** Rows become their first column's value (declare TRow as that value's type). */
  pluck(toggle?: boolean): this;
  /** Rows become arrays of their columns' values (declare TRow as that tuple). */
  raw(toggle?: boolean): this;
}

export interface SqliteTransaction<F extends (...args: never[]) => unknown> {
  (...args: Parameters<F>): ReturnType<F>;
  immediate(...args: Parameters<F>): ReturnType<F>;
}
