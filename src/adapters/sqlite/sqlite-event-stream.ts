import { resolve } from "node:path";
import { CodecRegistry } from "../../core/codec.js";
import { EventStreamRuntime } from "../../core/runtime.js";
import { DEFAULT_BUSY_TIMEOUT_MS, DEFAULT_POLL_INTERVAL_MS, IN_MEMORY, type SqliteConfig } from "./config.js";
import { mapSqliteError } from "./errors.js";
import type { SqliteDatabase } from "./database.js";
import { openDatabase } from "./native.js";
import { prepareDatabase } from "./schema.js";
import { SqliteDriver } from "./sqlite-driver.js";

/** Options of `createSqliteEventStream`. */
export interface SqliteEventStreamOptions {
  /** The database file (created with its schema on first use), or ":memory:". */
  readonly path: string;
  /** "normal" (default) survives an application crash; "full" also survives power loss, at a cost per append. */
  readonly synchronous?: "normal" | "full";
  /** How long a write waits for another connection's lock, in ms (default 5000). */
  readonly busyTimeoutMs?: number;
  /** How often waiting subscriptions look for other processes' commits, in ms (default 100). */
  readonly pollIntervalMs?: number;
  /** Largest append accepted, in encoded bytes (default 1 MiB). */
  readonly maxAppendBytes?: number;
  /** Codecs for content types beyond json, octet-stream and text. */
  readonly codecs?: CodecRegistry;
}

/** Opens (and on first use creates) a SQLite event store. */
export async function createSqliteEventStream(options: SqliteEventStreamOptions | SqliteConfig): Promise<SqliteEventStream> {
  const codecs = ("codecs" in options && options.codecs) || new CodecRegistry();
  const inMemory = options.path === IN_MEMORY;
  const file = inMemory ? undefined : resolve(options.path);
  const db = openDatabase(file ?? IN_MEMORY, options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS);
  try {
    const { storeId } = prepareDatabase(db, options.synchronous ?? "normal", inMemory);
    const driver = new SqliteDriver({
      db,
      file,
      storeId,
      codecs,
      pollIntervalMs: options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
      maxAppendBytes: options.maxAppendBytes,
    });
    return new SqliteEventStream(driver, codecs);
  } catch (error) {
    db.close();
    throw mapSqliteError(error, `open "${options.path}"`);
  }
}

/** The SQLite driver under core's runtime, with the connection for backend-specific use. */
export class SqliteEventStream extends EventStreamRuntime<SqliteDriver> {
  constructor(driver: SqliteDriver, codecs: CodecRegistry) {
    super(driver, { codecs });
  }

  /** The better-sqlite3 connection (for inspection; writing to the switchyard tables bypasses every rule). */
  get database(): SqliteDatabase {
    return this.driver.db;
  }

  /** The id this file's positions carry. */
  get storeId(): bigint {
    return this.driver.storeId;
  }
}
