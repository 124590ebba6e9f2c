import type { Capabilities } from "../../core/capabilities.js";
import type { CodecRegistry } from "../../core/codec.js";
import type { AppendRequest, DeleteRequest, EventStoreDriver, ReadAllRequest, ReadRequest } from "../../core/driver.js";
import { ConnectionError } from "../../core/errors.js";
import type { AppendResult, RecordedEvent } from "../../core/event.js";
import type { StreamMetadata } from "../../core/event-stream.js";
import type { Feed } from "../../core/subscription.js";
import type { ResolvedTarget } from "../../core/subscription-target.js";
import { StorePositions } from "./positions.js";
import { SQLITE_BACKEND, sqliteCapabilities } from "./capabilities.js";
import { ChangeWatch } from "./change-watch.js";
import { mapSqliteError } from "./errors.js";
import { EventDecoder } from "./event-rows.js";
import { GroupStore } from "./group-store.js";
import type { SqliteDatabase } from "./database.js";
import { SqliteFeeds } from "./sqlite-feeds.js";
import { SqlitePersistentDriver } from "./sqlite-persistent.js";
import { SqliteReads } from "./sqlite-reads.js";
import { SqliteWrites } from "./sqlite-writes.js";

export interface SqliteDriverOptions {
  readonly db: SqliteDatabase;
  /** Absolute path of the file; undefined for ":memory:". */
  readonly file: string | undefined;
  readonly storeId: bigint;
  readonly codecs: CodecRegistry;
  readonly pollIntervalMs: number;
  readonly maxAppendBytes: number | undefined;
}

/** The SQLite driver: translation to one database file, every capability. */
export class SqliteDriver implements EventStoreDriver {
  readonly capabilities: Capabilities;
  readonly positionParts = StorePositions.parts;
  readonly maxTruncateBefore = { value: BigInt(Number.MAX_SAFE_INTEGER), note: "SQLite revisions are kept below 2^53" };
  readonly persistent: SqlitePersistentDriver;
  readonly db: SqliteDatabase;
  readonly #watch: ChangeWatch;
  readonly #writes: SqliteWrites;
  readonly #reads: SqliteReads;
  readonly #feeds: SqliteFeeds;
  readonly #positions: StorePositions;
  readonly #ping;

  constructor({ db, file, storeId, codecs, pollIntervalMs, maxAppendBytes }: SqliteDriverOptions) {
    this.db = db;
    this.capabilities = sqliteCapabilities(maxAppendBytes);
    this.#positions = new StorePositions(SQLITE_BACKEND, storeId);
    const decoder = new EventDecoder(codecs, this.#positions);
    this.#watch = new ChangeWatch(db, file, pollIntervalMs);
    this.#writes = new SqliteWrites(db, () => this.#watch.notify());
    this.#reads = new SqliteReads(db, this.#writes, decoder);
    this.#feeds = new SqliteFeeds(db, this.#writes, decoder, this.#watch);
    this.persistent = new SqlitePersistentDriver(new GroupStore(db, this.#positions), decoder, this.#watch);
    this.#ping = db.prepare("SELECT 1").pluck();
  }

  /** The id positions of this file carry (see StorePositions). */
  get storeId(): bigint {
    return this.#positions.storeId;
  }

  async append({ stream, events, expectedRevision }: AppendRequest): Promise<AppendResult> {
    const { revision, position } = this.#writes.append(stream, events, expectedRevision);
    return { nextExpectedRevision: BigInt(revision), position: this.#positions.of(position) };
  }

  read(request: ReadRequest): AsyncIterable<RecordedEvent> {
    return this.#reads.read(request);
  }

  readAll(request: ReadAllRequest): AsyncIterable<RecordedEvent> {
    return this.#reads.readAll(request);
  }

  feed(target: ResolvedTarget): Feed {
    return this.#feeds.feed(target);
  }

  async delete({ stream, expectedRevision }: DeleteRequest): Promise<void> {
    this.#writes.delete(stream, expectedRevision);
  }

  async tombstone({ stream, expectedRevision }: DeleteRequest): Promise<void> {
    this.#writes.tombstone(stream, expectedRevision);
  }

  async getStreamMetadata(stream: string): Promise<StreamMetadata> {
    return this.#writes.getMetadata(stream);
  }

  async setStreamMetadata(stream: string, metadata: StreamMetadata): Promise<void> {
    this.#writes.setMetadata(stream, metadata);
  }

  async ping(): Promise<void> {
    try {
      this.#ping.get();
    } catch (error) {
      const mapped = mapSqliteError(error, "ping");
      throw mapped instanceof Error && "code" in mapped ? mapped : new ConnectionError("SQLite ping failed", { cause: error });
    }
  }

  async close(): Promise<void> {
    this.#watch.close();
    this.db.close();
  }
}
