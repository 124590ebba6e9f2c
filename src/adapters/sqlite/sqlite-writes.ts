import { StreamDeletedError, StreamNotFoundError } from "../../core/errors.js";
import type { ExpectedRevision } from "../../core/event.js";
import type { StreamMetadata } from "../../core/event-stream.js";
import type { PreparedEvent } from "../../core/prepare.js";
import { mapSqliteError } from "./errors.js";
import type { SqliteDatabase } from "./database.js";
import { checkExpectedRevision, currentRevision, metadataOf, NO_ROW, type StreamRow, type StreamState } from "./stream-rows.js";

export interface Appended {
  readonly revision: number;
  readonly position: number;
}

/**
 * Every write, each one `BEGIN IMMEDIATE` transaction: the write lock is taken before the stream
 * row is read, so the expected-revision check and the insert see the same state, and since SQLite
 * has one writer at a time, rowid order is commit order.
 */
export class SqliteWrites {
  readonly #db: SqliteDatabase;
  readonly #stream;
  readonly #lastRevision;
  readonly #insert;
  readonly #undelete;
  readonly #latestById;
  readonly #positionOf;
  readonly #softDelete;
  readonly #tombstone;
  readonly #setMetadata;
  readonly #append;
  readonly #delete;
  readonly #tombstoneTx;
  readonly #setMetadataTx;

  constructor(db: SqliteDatabase, private readonly changed: () => void) {
    this.#db = db;
    this.#stream = db.prepare<[string], StreamRow>(
      "SELECT deleted_before, soft_deleted, tombstoned, max_count, max_age_seconds, truncate_before FROM switchyard_streams WHERE stream = ?",
    );
    this.#lastRevision = db.prepare<[string], number | null>("SELECT max(revision) FROM switchyard_events WHERE stream = ?").pluck();
    this.#insert = db.prepare(
      "INSERT INTO switchyard_events (stream, revision, event_id, type, content_type, schema_version, data, metadata, created_at, id_given) " +
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    );
    this.#undelete = db.prepare("UPDATE switchyard_streams SET soft_deleted = 0 WHERE stream = ?");
    // Only ids the caller chose can come back in a retry, so only those are indexed.
    this.#latestById = db
      .prepare<[string, string], number>(
        "SELECT revision FROM switchyard_events WHERE stream = ? AND event_id = ? AND id_given = 1 ORDER BY revision DESC LIMIT 1",
      )
      .pluck();
    this.#positionOf = db.prepare<[string, number], number>("SELECT position FROM switchyard_events WHERE stream = ? AND revision = ?").pluck();
    this.#softDelete = db.prepare(
      "INSERT INTO switchyard_streams (stream, soft_deleted, deleted_before) VALUES (?, 1, ?) " +
        "ON CONFLICT (stream) DO UPDATE SET soft_deleted = 1, deleted_before = excluded.deleted_before",
    );
    this.#tombstone = db.prepare(
      "INSERT INTO switchyard_streams (stream, tombstoned) VALUES (?, 1) ON CONFLICT (stream) DO UPDATE SET tombstoned = 1",
    );
    this.#setMetadata = db.prepare(
      "INSERT INTO switchyard_streams (stream, max_count, max_age_seconds, truncate_before) VALUES (?, ?, ?, ?) " +
        "ON CONFLICT (stream) DO UPDATE SET max_count = excluded.max_count, max_age_seconds = excluded.max_age_seconds, " +
        "truncate_before = excluded.truncate_before",
    );
    this.#append = db.transaction((stream: string, events: readonly PreparedEvent[], expected: ExpectedRevision) =>
      this.#appendLocked(stream, events, expected),
    );
    this.#delete = db.transaction((stream: string, expected: ExpectedRevision) => {
      const state = this.#deletable(stream, expected);
      if (!state || state.soft_deleted) throw new StreamNotFoundError(stream);
      this.#softDelete.run(stream, state.revision + 1);
    });
    this.#tombstoneTx = db.transaction((stream: string, expected: ExpectedRevision) => {
      this.#deletable(stream, expected);
      this.#tombstone.run(stream);
    });
    this.#setMetadataTx = db.transaction((stream: string, metadata: StreamMetadata) => {
      if (this.#stream.get(stream)?.tombstoned) throw new StreamDeletedError(stream);
      const { maxCount, maxAgeSeconds, truncateBefore } = metadata;
      this.#setMetadata.run(stream, maxCount ?? null, maxAgeSeconds ?? null, truncateBefore ?? null);
    });
  }

  append(stream: string, events: readonly PreparedEvent[], expected: ExpectedRevision): Appended {
    const appended = this.#write("append", stream, expected, () => this.#append.immediate(stream, events, expected));
    this.changed();
    return appended;
  }

  delete(stream: string, expected: ExpectedRevision): void {
    this.#write("delete", stream, expected, () => this.#delete.immediate(stream, expected));
    this.changed();
  }

  tombstone(stream: string, expected: ExpectedRevision): void {
    this.#write("tombstone", stream, expected, () => this.#tombstoneTx.immediate(stream, expected));
    this.changed();
  }

  setMetadata(stream: string, metadata: StreamMetadata): void {
    this.#write("setStreamMetadata", stream, "any", () => this.#setMetadataTx.immediate(stream, metadata));
    this.changed();
  }

  getMetadata(stream: string): StreamMetadata {
    const row = this.#read("getStreamMetadata", () => this.#stream.get(stream));
    if (row?.tombstoned) throw new StreamDeletedError(stream);
    return metadataOf(row);
  }

  /** The stream's state, or undefined for a stream with neither events nor a row. */
  streamState(stream: string): StreamState | undefined {
    return this.#read("read", () => this.#state(stream));
  }

  #appendLocked(stream: string, events: readonly PreparedEvent[], expected: ExpectedRevision): Appended {
    const state = this.#state(stream);
    if (state?.tombstoned) throw new StreamDeletedError(stream);
    const replay = state && this.#findReplay(stream, events, expected);
    if (replay !== undefined) return { revision: replay, position: this.#positionOf.get(stream, replay)! };
    checkExpectedRevision(stream, state, expected);
    let revision = state?.revision ?? -1;
    let position = 0;
    const now = Date.now();
    for (const event of events) {
      revision++;
      const data = Buffer.from(event.data.buffer, event.data.byteOffset, event.data.byteLength);
      const metadata = JSON.stringify(event.metadata);
      const given = event.idGiven ? 1 : 0;
      const result = this.#insert.run(stream, revision, event.id, event.type, event.contentType, event.schemaVersion, data, metadata, now, given);
      position = Number(result.lastInsertRowid);
    }
    if (state?.soft_deleted) this.#undelete.run(stream);
    return { revision, position };
  }

  /**
   * EventStoreDB treats a batch whose ids are already stored, in order, right after the expected
   * revision as a retry: it succeeds without writing. Returns the last revision of such a batch.
   */
  #findReplay(stream: string, events: readonly PreparedEvent[], expected: ExpectedRevision): number | undefined {
    if (!events[0]!.idGiven) return undefined;
    const first = this.#latestById.get(stream, events[0]!.id);
    if (first === undefined) return undefined;
    const expectedFirst = expected === "no_stream" ? 0 : typeof expected === "bigint" ? Number(expected) + 1 : first;
    if (first !== expectedFirst) return undefined;
    for (let i = 1; i < events.length; i++) {
      if (this.#latestById.get(stream, events[i]!.id) !== first + i) return undefined;
    }
    return first + events.length - 1;
  }

  #deletable(stream: string, expected: ExpectedRevision): StreamState | undefined {
    const state = this.#state(stream);
    if (state?.tombstoned) throw new StreamDeletedError(stream);
    checkExpectedRevision(stream, state, expected);
    return state;
  }

  #state(stream: string): StreamState | undefined {
    const row = this.#stream.get(stream);
    const last = this.#lastRevision.get(stream) ?? null;
    if (!row && last === null) return undefined;
    return { ...(row ?? NO_ROW), revision: last ?? -1 };
  }

  #write<T>(operation: string, stream: string, expected: ExpectedRevision, run: () => T): T {
    try {
      return run();
    } catch (error) {
      throw mapSqliteError(error, operation, {
        stream,
        expected,
        current: () => (this.#db.open ? currentRevision(this.#state(stream)) : undefined),
      });
    }
  }

  #read<T>(operation: string, run: () => T): T {
    try {
      return run();
    } catch (error) {
      throw mapSqliteError(error, operation);
    }
  }
}
