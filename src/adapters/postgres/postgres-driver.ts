import type { Capabilities } from "../../core/capabilities.js";
import type { CodecRegistry } from "../../core/codec.js";
import type { AppendRequest, DeleteRequest, EventStoreDriver, PersistentDriver, ReadAllRequest, ReadRequest } from "../../core/driver.js";
import type { AppendResult, RecordedEvent } from "../../core/event.js";
import type { StreamMetadata } from "../../core/event-stream.js";
import type { Feed } from "../../core/subscription.js";
import type { ResolvedTarget } from "../../core/subscription-target.js";
import { appendEvents, deleteStream } from "./append.js";
import { postgresCapabilities } from "./capabilities.js";
import { schemaOf, type PostgresConfig } from "./config.js";
import { Connection } from "./connection.js";
import { postgresFeed } from "./feeds.js";
import { Listener } from "./listener.js";
import { PostgresPersistentDriver } from "./persistent.js";
import { POSITION_PARTS } from "./positions.js";
import { readAll } from "./read-all.js";
import { readStream } from "./read-stream.js";
import { dropStore, migrate, openStore } from "./schema.js";
import { getStreamMetadata, setStreamMetadata } from "./stream-metadata.js";

const DEFAULT_POLL_INTERVAL_MS = 1_000;

/**
 * PostgreSQL under core's runtime: an events table and a streams table in the store's schema,
 * created on first use. Translation only: the runtime has checked every request.
 */
export class PostgresDriver implements EventStoreDriver {
  readonly capabilities: Capabilities = postgresCapabilities;
  readonly positionParts = POSITION_PARTS;
  readonly persistent: PersistentDriver;
  readonly #connection: Connection;
  readonly schema: string;
  readonly #codecs: CodecRegistry;
  readonly #listener: Listener;
  #epoch: Promise<bigint> | undefined;

  constructor(config: PostgresConfig, codecs: CodecRegistry) {
    this.schema = schemaOf(config);
    this.#codecs = codecs;
    this.#connection = new Connection(config);
    this.#listener = new Listener(config, this.schema);
    const context = {
      connection: this.#connection,
      schema: this.schema,
      codecs,
      listener: this.#listener,
      pollIntervalMs: config.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
      epoch: () => this.epoch(),
    };
    this.persistent = new PostgresPersistentDriver(context);
    this.feed = (target: ResolvedTarget): Feed => postgresFeed(context, target);
  }

  readonly feed: (target: ResolvedTarget) => Feed;

  /** The store's epoch, creating its schema on first use; a failed attempt is retried by the next call. */
  epoch(): Promise<bigint> {
    this.#epoch ??= openStore(this.#connection, this.schema).catch((error: unknown) => {
      this.#epoch = undefined;
      throw error;
    });
    return this.#epoch;
  }

  /** Creates or upgrades the schema now, for users who run DDL as a deployment step. */
  async migrate(): Promise<void> {
    const epoch = migrate(this.#connection, this.schema);
    this.#epoch = epoch;
    await epoch.catch((error: unknown) => {
      this.#epoch = undefined;
      throw error;
    });
  }

  async append(request: AppendRequest): Promise<AppendResult> {
    const result = await appendEvents(this.#connection, this.schema, await this.epoch(), request);
    this.#listener.wake();
    return result;
  }

  async *read(request: ReadRequest): AsyncGenerator<RecordedEvent> {
    yield* readStream(this.#connection, this.schema, await this.epoch(), this.#codecs, request);
  }

  async *readAll(request: ReadAllRequest): AsyncGenerator<RecordedEvent> {
    yield* readAll(this.#connection, this.schema, await this.epoch(), this.#codecs, request);
  }

  async delete(request: DeleteRequest): Promise<void> {
    await this.epoch();
    await deleteStream(this.#connection, this.schema, request, false);
  }

  async tombstone(request: DeleteRequest): Promise<void> {
    await this.epoch();
    await deleteStream(this.#connection, this.schema, request, true);
    this.#listener.wake();
  }

  async getStreamMetadata(stream: string): Promise<StreamMetadata> {
    await this.epoch();
    return getStreamMetadata(this.#connection, this.schema, stream);
  }

  async setStreamMetadata(stream: string, metadata: StreamMetadata): Promise<void> {
    await this.epoch();
    await setStreamMetadata(this.#connection, this.schema, stream, metadata);
  }

  /** Drops the store's schema with every event in it. */
  dropSchema(): Promise<void> {
    return dropStore(this.#connection, this.schema);
  }

  async ping(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    await this.#connection.query("SELECT 1", [], { operation: "ping" });
  }

  async close(): Promise<void> {
    await this.#listener.close();
    await this.#connection.close();
  }
}
