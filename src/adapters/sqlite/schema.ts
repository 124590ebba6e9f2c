import { randomInt } from "node:crypto";
import { ConfigurationError } from "../../core/errors.js";
import type { SqliteDatabase } from "./database.js";

/** The layout this version writes; a file from a newer layout is refused rather than misread. */
const SCHEMA_VERSION = 1;

const TABLES = `
CREATE TABLE IF NOT EXISTS switchyard_store (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  store_id INTEGER NOT NULL,
  schema_version INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS switchyard_events (
  position INTEGER PRIMARY KEY,
  stream TEXT NOT NULL,
  revision INTEGER NOT NULL,
  event_id TEXT NOT NULL,
  type TEXT NOT NULL,
  content_type TEXT NOT NULL,
  schema_version INTEGER NOT NULL,
  data BLOB NOT NULL,
  metadata TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  id_given INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS switchyard_events_by_stream ON switchyard_events (stream, revision);
CREATE INDEX IF NOT EXISTS switchyard_events_by_given_id ON switchyard_events (stream, event_id) WHERE id_given = 1;
CREATE TABLE IF NOT EXISTS switchyard_streams (
  stream TEXT PRIMARY KEY,
  deleted_before INTEGER NOT NULL DEFAULT 0,
  soft_deleted INTEGER NOT NULL DEFAULT 0,
  tombstoned INTEGER NOT NULL DEFAULT 0,
  max_count INTEGER,
  max_age_seconds INTEGER,
  truncate_before INTEGER
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS switchyard_groups (
  target TEXT NOT NULL,
  grp TEXT NOT NULL,
  filter TEXT,
  cursor INTEGER NOT NULL,
  max_retry_count INTEGER NOT NULL,
  message_timeout_ms INTEGER NOT NULL,
  PRIMARY KEY (target, grp)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS switchyard_group_messages (
  target TEXT NOT NULL,
  grp TEXT NOT NULL,
  position INTEGER NOT NULL,
  state TEXT NOT NULL,
  retry_count INTEGER NOT NULL,
  lease_owner TEXT,
  lease_until INTEGER,
  PRIMARY KEY (target, grp, position)
) WITHOUT ROWID;
`;

export interface StoreIdentity {
  /** Random, fixed when the file is created: positions carry it so a checkpoint from another file is refused. */
  readonly storeId: bigint;
}

/**
 * Sets the connection's pragmas and creates the schema on first use. WAL lets readers run beside
 * the one writer; `synchronous` is the durability trade-off the user chose.
 */
export function prepareDatabase(db: SqliteDatabase, synchronous: "normal" | "full", inMemory: boolean): StoreIdentity {
  if (!inMemory) db.pragma("journal_mode = WAL");
  db.pragma(`synchronous = ${synchronous === "full" ? "FULL" : "NORMAL"}`);
  const create = db.transaction(() => {
    db.exec(TABLES);
    db.prepare("INSERT OR IGNORE INTO switchyard_store VALUES (1, ?, ?, ?)").run(randomInt(1, 2 ** 47), SCHEMA_VERSION, Date.now());
  });
  // IMMEDIATE: two processes opening a new file at once queue on the write lock instead of deadlocking.
  create.immediate();
  const row = db.prepare("SELECT store_id, schema_version FROM switchyard_store").get() as { store_id: number; schema_version: number };
  if (row.schema_version > SCHEMA_VERSION) {
    throw new ConfigurationError(
      `This SQLite file has schema version ${row.schema_version}, written by a newer switchyard-events; this version reads ${SCHEMA_VERSION}`,
    );
  }
  return { storeId: BigInt(row.store_id) };
}
