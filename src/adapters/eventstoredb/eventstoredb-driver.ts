import {
  convertToCommandError,
  BACKWARDS,
  END,
  FORWARDS,
  START,
  type AppendToStreamOptions,
  type EventStoreDBClient,
  type ReadRevision,
  type ResolvedEvent,
} from "@eventstore/db-client";
import { everyCapability, type Capabilities } from "../../core/capabilities.js";
import type { CodecRegistry } from "../../core/codec.js";
import type { AppendRequest, DeleteRequest, EventStoreDriver, ReadAllRequest, ReadRequest } from "../../core/driver.js";
import { WrongExpectedRevisionError } from "../../core/errors.js";
import type { AppendResult, ExpectedRevision, RecordedEvent } from "../../core/event.js";
import type { StreamMetadata } from "../../core/event-stream.js";
import type { Feed } from "../../core/subscription.js";
import type { ResolvedTarget } from "../../core/subscription-target.js";
import { DEFAULT_MAX_APPEND_BYTES } from "./config.js";
import { ClientRead, drain } from "./drain.js";
import { translateError } from "./errors.js";
import { recordMapper, toClientEvent } from "./event-mapping.js";
import { EventStoreDBPersistentDriver } from "./persistent-subscriptions.js";
import { pingEventStoreDB } from "./ping.js";
import { ESDB_BACKEND, toPosition } from "./position-mapping.js";
import { readAllEvents } from "./read-all.js";
import { ESDB_TRUNCATE_LIMIT, fromClientMetadata, toClientMetadata } from "./stream-metadata.js";
import { categoryStreamFeed } from "./category-stream-feed.js";
import { subscriptionFeed } from "./subscription-feed.js";

/** The client and how this adapter uses it, as the event stream's options resolve them. */
export interface EventStoreDBConnection {
  readonly client: EventStoreDBClient;
  /** Whether close() disposes the client. */
  readonly ownsClient: boolean;
  /** Per-call options of appends (credentials select the classic Append RPC; see docs/eventstoredb.md). */
  readonly appendCall: Pick<AppendToStreamOptions, "credentials">;
  readonly maxAppendBytes: number | undefined;
  /** Follow categories through `$ce-` streams when `$by_category` runs (opt-in). */
  readonly categoryStreams: boolean;
  /**
   * Writes require the leader (`requires-leader`), as the .NET client sends it under the leader
   * node preference: a follower refuses them with NotLeader instead of forwarding, the client
   * moves to the leader, and the write is sent there.
   */
  readonly writesRequireLeader: boolean;
}

/** Sends of a write refused with NotLeader: the first, and one to each leader named since. */
const LEADER_ATTEMPTS = 3;

const isNotLeader = (error: unknown): boolean =>
  error instanceof Error && (convertToCommandError(error) as { type?: unknown }).type === "not-leader";

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Translates core's prepared requests to the official client (6.2.1) and its answers and errors back. */
export class EventStoreDBDriver implements EventStoreDriver {
  readonly capabilities: Capabilities;
  readonly displayName = "EventStoreDB";
  readonly positionParts = 2;
  readonly maxTruncateBefore = ESDB_TRUNCATE_LIMIT;
  readonly persistent: EventStoreDBPersistentDriver;
  readonly #client: EventStoreDBClient;
  readonly #ownsClient: boolean;
  readonly #appendCall: Pick<AppendToStreamOptions, "credentials">;
  readonly #codecs: CodecRegistry;
  readonly #categoryStreams: boolean;
  readonly #writeCall: { readonly requiresLeader?: true };

  constructor(connection: EventStoreDBConnection, codecs: CodecRegistry) {
    this.#client = connection.client;
    this.#categoryStreams = connection.categoryStreams;
    this.#ownsClient = connection.ownsClient;
    this.#appendCall = connection.appendCall;
    this.#writeCall = connection.writesRequireLeader ? { requiresLeader: true } : {};
    this.#codecs = codecs;
    this.capabilities = everyCapability(ESDB_BACKEND, connection.maxAppendBytes ?? DEFAULT_MAX_APPEND_BYTES);
    this.persistent = new EventStoreDBPersistentDriver(this.#client, codecs);
  }

  get client(): EventStoreDBClient {
    return this.#client;
  }

  async append({ stream, events, expectedRevision }: AppendRequest): Promise<AppendResult> {
    const clientEvents = events.map((event, i) => toClientEvent(event, `events[${i}]`));
    try {
      const result = await this.#onLeader(() =>
        this.#client.appendToStream(stream, clientEvents, { expectedRevision, ...this.#appendCall, ...this.#writeCall }),
      );
      return {
        nextExpectedRevision: result.nextExpectedRevision,
        position: result.position && toPosition(result.position),
      };
    } catch (error) {
      throw translateError(error, { operation: "append", stream, expected: expectedRevision });
    }
  }

  read({ stream, direction, from, maxCount, signal }: ReadRequest): AsyncIterable<RecordedEvent> {
    // One iterator straight over the client's read (no generator layers).
    const toRecorded = recordMapper(this.#codecs);
    return new ClientRead(
      () => {
        if (from === "end" && direction === "forwards") return undefined;
        const fromRevision: ReadRevision = from === "start" ? (direction === "forwards" ? START : END) : from === "end" ? END : from;
        const read = this.#client.readStream(stream, {
          fromRevision,
          direction: direction === "forwards" ? FORWARDS : BACKWARDS,
          ...(maxCount !== undefined ? { maxCount } : {}),
        });
        return { read, expectedMax: maxCount };
      },
      (resolved: ResolvedEvent) => (resolved.event ? toRecorded(resolved.event) : undefined),
      signal,
      { operation: "read", stream },
    );
  }

  readAll(request: ReadAllRequest): AsyncIterable<RecordedEvent> {
    return readAllEvents(this.#client, this.#codecs, request);
  }

  feed(target: ResolvedTarget): Feed {
    if (target.kind === "category" && this.#categoryStreams) return categoryStreamFeed(this.#client, target, this.#codecs);
    return subscriptionFeed(this.#client, target, this.#codecs);
  }

  async delete({ stream, expectedRevision }: DeleteRequest): Promise<void> {
    // 6.2.1's deleteStream cannot send "stream_exists": check existence and send the revision.
    const sent = expectedRevision === "stream_exists" ? await this.#lastRevisionOrConflict(stream, expectedRevision) : expectedRevision;
    try {
      await this.#onLeader(() => this.#client.deleteStream(stream, { expectedRevision: sent, ...this.#writeCall }));
    } catch (error) {
      throw translateError(error, { operation: "delete", stream, expected: expectedRevision });
    }
  }

  async tombstone({ stream, expectedRevision }: DeleteRequest): Promise<void> {
    try {
      // The typings omit "stream_exists", but 6.2.1's tombstoneStream sends it.
      await this.#onLeader(() =>
        this.#client.tombstoneStream(stream, {
          expectedRevision: expectedRevision as Exclude<ExpectedRevision, "stream_exists">,
          ...this.#writeCall,
        }),
      );
    } catch (error) {
      throw translateError(error, { operation: "tombstone", stream, expected: expectedRevision });
    }
  }

  async getStreamMetadata(stream: string): Promise<StreamMetadata> {
    try {
      return fromClientMetadata((await this.#client.getStreamMetadata(stream)).metadata);
    } catch (error) {
      throw translateError(error, { operation: "metadata", stream });
    }
  }

  async setStreamMetadata(stream: string, metadata: StreamMetadata): Promise<void> {
    try {
      const current = await this.#client.getStreamMetadata(stream);
      await this.#onLeader(() =>
        this.#client.setStreamMetadata(stream, toClientMetadata(metadata, current.metadata), this.#writeCall),
      );
    } catch (error) {
      throw translateError(error, { operation: "metadata", stream });
    }
  }

  ping(signal: AbortSignal, timeoutMs: number): Promise<void> {
    return pingEventStoreDB(this.#client, signal, timeoutMs);
  }

  async close(): Promise<void> {
    if (this.#ownsClient) await this.#client.dispose();
  }

  /**
   * Runs a write, sending it again when a follower refused it with NotLeader: it was not stored,
   * and the client has already pointed its connection at the leader the refusal named.
   */
  async #onLeader<T>(write: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await write();
      } catch (error) {
        if (attempt >= LEADER_ATTEMPTS || !isNotLeader(error)) throw error;
        await nextTurn();
      }
    }
  }

  async #lastRevisionOrConflict(stream: string, expected: ExpectedRevision): Promise<bigint> {
    const read = this.#client.readStream(stream, { fromRevision: END, direction: BACKWARDS, maxCount: 1 });
    try {
      for await (const resolved of drain(read, undefined, { operation: "delete", stream, expected }, 1n)) {
        if (resolved.event) return resolved.event.revision;
      }
    } catch (error) {
      if ((error as { code?: unknown }).code !== "STREAM_NOT_FOUND") throw error;
    }
    throw new WrongExpectedRevisionError(stream, expected, "no_stream");
  }
}
