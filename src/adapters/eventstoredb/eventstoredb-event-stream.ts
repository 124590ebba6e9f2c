import {
  BACKWARDS,
  END,
  FORWARDS,
  START,
  type AppendToStreamOptions,
  type Credentials,
  type EventStoreDBClient,
  type ReadPosition,
  type ReadRevision,
  type ResolvedEvent,
} from "@eventstore/db-client";
import type { Capabilities } from "../../core/capabilities.js";
import { CodecRegistry } from "../../core/codec.js";
import { ClosedError, ConfigurationError, ValidationError, WrongExpectedRevisionError } from "../../core/errors.js";
import type { AppendResult, EventData, ExpectedRevision, RecordedEvent } from "../../core/event.js";
import type {
  AppendOptions,
  DeleteOptions,
  EventStream,
  PersistentSubscriptions,
  PingOptions,
  ReadAllOptions,
  ReadOptions,
  Signalled,
  StreamMetadata,
  SubscribeOptions,
  Subscription,
  SubscriptionTarget,
} from "../../core/event-stream.js";
import { pingWithin } from "../../core/ping.js";
import { prepareEvents } from "../../core/prepare.js";
import { createSubscription } from "../../core/subscription.js";
import { resolveStart, resolveTarget } from "../../core/subscription-target.js";
import { assertExpectedRevision, assertStreamName, toDirection, toMaxCount } from "../../core/validation.js";
import { createClientFromConfig, credentialsOf } from "./client.js";
import { DEFAULT_MAX_APPEND_BYTES, eventStoreDBConfigSchema, type EventStoreDBConfig } from "./config.js";
import { translateError, type OperationContext } from "./errors.js";
import { recordMapper, toClientEvent } from "./event-mapping.js";
import { planFilter } from "./filter-mapping.js";
import { EventStoreDBPersistentSubscriptions } from "./persistent-subscriptions.js";
import { ESDB_BACKEND, toClientPosition, toPosition } from "./position-mapping.js";
import { fromClientMetadata, toClientMetadata } from "./stream-metadata.js";
import { ClientRead, drain } from "./drain.js";
import { pingEventStoreDB } from "./ping.js";
import { subscriptionFeed } from "./subscription-feed.js";

export interface EventStoreDBEventStreamOptions {
  /** A client the caller built. It is not disposed by close() unless `disposeClient` is true. */
  client?: EventStoreDBClient;
  disposeClient?: boolean;
  /** Or a config (as `connect()` takes it) from which the adapter builds and owns its client. */
  config?: Omit<EventStoreDBConfig, "backend"> & { backend?: "eventstoredb" };
  /**
   * Credentials the injected client was built with (only needed with `client`): appends then use
   * the classic Append call instead of the client's BatchAppend (see docs/eventstoredb.md).
   */
  credentials?: Credentials;
  /** The server's MaxAppendSize, if not the default 1 MiB. */
  maxAppendBytes?: number;
  /** Codecs for content types beyond json, octet-stream and text. */
  codecs?: CodecRegistry;
}

/** For connect(): the validated config becomes an adapter owning its client. */
export function createEventStoreDBEventStreamFromConfig(config: EventStoreDBConfig): EventStoreDBEventStream {
  return new EventStoreDBEventStream({ config });
}

/** Opens the EventStoreDB adapter over a config or an injected `EventStoreDBClient`. */
export function createEventStoreDBEventStream(options: EventStoreDBEventStreamOptions): EventStoreDBEventStream {
  return new EventStoreDBEventStream(options);
}

export class EventStoreDBEventStream implements EventStream {
  readonly capabilities: Capabilities;
  readonly persistentSubscriptions: PersistentSubscriptions;
  readonly #client: EventStoreDBClient;
  readonly #ownsClient: boolean;
  readonly #codecs: CodecRegistry;
  readonly #appendCall: Pick<AppendToStreamOptions, "credentials">;
  readonly #closing = new AbortController();

  constructor(options: EventStoreDBEventStreamOptions) {
    let maxAppendBytes = options.maxAppendBytes;
    if (options.client) {
      if (options.config) throw new ConfigurationError("Give either client or config, not both");
      this.#client = options.client;
      this.#ownsClient = options.disposeClient ?? false;
      this.#appendCall = options.credentials ? { credentials: options.credentials } : {};
    } else {
      const parsed = eventStoreDBConfigSchema.safeParse({ backend: "eventstoredb", ...options.config });
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(config)"}: ${i.message}`).join("; ");
        throw new ConfigurationError(`Invalid EventStoreDB config: ${issues}`);
      }
      const config = parsed.data;
      this.#client = createClientFromConfig(config);
      this.#ownsClient = true;
      maxAppendBytes ??= config.maxAppendBytes;
      // Per-call credentials make the client use the classic Append RPC rather than BatchAppend,
      // whose pending-append map is shared by every client in the process (6.2.1): a failure
      // on one client's batch stream would reject, and later crash, other clients' appends.
      // On an insecure channel the client ignores the credentials (no header is sent).
      const credentials = credentialsOf(config) ?? (config.tls === false ? { username: "", password: "" } : undefined);
      this.#appendCall = credentials ? { credentials } : {};
    }
    this.#codecs = options.codecs ?? new CodecRegistry();
    this.capabilities = Object.freeze({
      backend: ESDB_BACKEND,
      expectedRevision: true,
      atomicAppend: true,
      idempotentIds: true,
      readBackward: true,
      globalOrder: true,
      catchUpSubscriptions: true,
      categorySubscriptions: true,
      persistentSubscriptions: true,
      delete: true,
      tombstone: true,
      streamMetadata: true,
      maxAppendBytes: maxAppendBytes ?? DEFAULT_MAX_APPEND_BYTES,
      maxAppendBytesPer: "batch",
    });
    this.persistentSubscriptions = new EventStoreDBPersistentSubscriptions(
      this.#client,
      this.#codecs,
      this.#closing.signal,
      () => this.#assertOpen(),
    );
  }

  /** The underlying official client, for what the port does not cover (projections, ACLs). */
  get client(): EventStoreDBClient {
    return this.#client;
  }

  async append(stream: string, events: readonly EventData[], options: AppendOptions = {}): Promise<AppendResult> {
    this.#assertOpen();
    const expected = options.expectedRevision ?? "any";
    assertExpectedRevision(expected);
    const prepared = prepareEvents(stream, events, this.#codecs, this.capabilities.maxAppendBytes);
    const clientEvents = prepared.map((event, i) => toClientEvent(event, `events[${i}]`));
    options.signal?.throwIfAborted();
    try {
      const result = await this.#client.appendToStream(stream, clientEvents, {
        expectedRevision: expected,
        ...this.#appendCall,
      });
      return {
        nextExpectedRevision: result.nextExpectedRevision,
        position: result.position && toPosition(result.position),
      };
    } catch (error) {
      throw translateError(error, { operation: "append", stream, expected });
    }
  }

  read(stream: string, options: ReadOptions = {}): AsyncIterable<RecordedEvent> {
    // One iterator straight over the client's read (no generator layers); checks run on first next().
    const toRecorded = recordMapper(this.#codecs);
    return new ClientRead(
      () => {
        this.#assertOpen();
        assertStreamName(stream);
        const direction = toDirection(options.direction);
        const maxCount = toMaxCount(options.maxCount);
        const from = options.from ?? "start";
        if (from !== "start" && from !== "end" && (typeof from !== "bigint" || from < 0n)) {
          throw new ValidationError(`from must be "start", "end" or a non-negative bigint revision`, "from");
        }
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
      options.signal,
      { operation: "read", stream },
    );
  }

  readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    return this.#readAll(options);
  }

  async *#readAll(options: ReadAllOptions): AsyncGenerator<RecordedEvent> {
    this.#assertOpen();
    const direction = toDirection(options.direction);
    const maxCount = toMaxCount(options.maxCount);
    // 6.2.1's readAll has no server-side filter: filtering (and hiding system events) runs here.
    const { accepts } = planFilter(options.filter);
    const from = options.from ?? "start";
    const fromPosition: ReadPosition =
      from === "start" ? (direction === "forwards" ? START : END) : from === "end" ? END : toClientPosition(from);
    if (from === "end" && direction === "forwards") return;
    const context: OperationContext = { operation: "readAll" };
    const toRecorded = recordMapper(this.#codecs);
    let delivered = 0n;
    if (direction === "backwards" && typeof fromPosition === "object") {
      // ESDB reads backwards from P exclusively; our `from` is inclusive, so fetch the event at P.
      const atFrom = this.#client.readAll({ fromPosition, direction: FORWARDS, maxCount: 1 });
      for await (const resolved of drain(atFrom, options.signal, context, 1n)) {
        const position = resolved.event?.position;
        if (!resolved.event || !position || position.commit !== fromPosition.commit || position.prepare !== fromPosition.prepare) continue;
        const event = toRecorded(resolved.event);
        if (!accepts(event)) continue;
        delivered++;
        yield event;
      }
    }
    if (maxCount !== undefined && delivered >= maxCount) return;
    const read = this.#client.readAll({ fromPosition, direction: direction === "forwards" ? FORWARDS : BACKWARDS });
    for await (const resolved of drain(read, options.signal, context)) {
      if (!resolved.event) continue;
      const event = toRecorded(resolved.event);
      if (!accepts(event)) continue;
      yield event;
      if (maxCount !== undefined && ++delivered >= maxCount) return;
    }
  }

  subscribe(target: SubscriptionTarget, options: SubscribeOptions = {}): Subscription {
    this.#assertOpen();
    const resolved = resolveTarget(target);
    const from = resolveStart(resolved, options.from, ESDB_BACKEND, 2);
    if (resolved.kind === "all") planFilter(resolved.filter); // refuse a malformed filter now, not on first read
    const signal = options.signal ? AbortSignal.any([options.signal, this.#closing.signal]) : this.#closing.signal;
    return createSubscription({
      orderBy: resolved.kind === "stream" ? "stream" : "global",
      from,
      feed: subscriptionFeed(this.#client, resolved, this.#codecs),
      signal,
      ...(options.retry ? { retry: options.retry } : {}),
      onReconnect: options.onReconnect,
    });
  }

  async delete(stream: string, options: DeleteOptions = {}): Promise<void> {
    this.#assertOpen();
    assertStreamName(stream);
    const expected = options.expectedRevision ?? "any";
    assertExpectedRevision(expected);
    options.signal?.throwIfAborted();
    // 6.2.1's deleteStream cannot send "stream_exists": check existence and send the revision.
    const sent = expected === "stream_exists" ? await this.#lastRevisionOrConflict(stream, expected) : expected;
    try {
      await this.#client.deleteStream(stream, { expectedRevision: sent });
    } catch (error) {
      throw translateError(error, { operation: "delete", stream, expected });
    }
  }

  async tombstone(stream: string, options: DeleteOptions = {}): Promise<void> {
    this.#assertOpen();
    assertStreamName(stream);
    const expected = options.expectedRevision ?? "any";
    assertExpectedRevision(expected);
    options.signal?.throwIfAborted();
    try {
      // The typings omit "stream_exists", but 6.2.1's tombstoneStream sends it.
      await this.#client.tombstoneStream(stream, { expectedRevision: expected as Exclude<ExpectedRevision, "stream_exists"> });
    } catch (error) {
      throw translateError(error, { operation: "tombstone", stream, expected });
    }
  }

  async getStreamMetadata(stream: string, options: Signalled = {}): Promise<StreamMetadata> {
    this.#assertOpen();
    assertStreamName(stream);
    options.signal?.throwIfAborted();
    try {
      return fromClientMetadata((await this.#client.getStreamMetadata(stream)).metadata);
    } catch (error) {
      throw translateError(error, { operation: "metadata", stream });
    }
  }

  async setStreamMetadata(stream: string, metadata: StreamMetadata, options: Signalled = {}): Promise<void> {
    this.#assertOpen();
    assertStreamName(stream);
    toClientMetadata(metadata, undefined); // validate before any call
    options.signal?.throwIfAborted();
    try {
      const current = await this.#client.getStreamMetadata(stream);
      await this.#client.setStreamMetadata(stream, toClientMetadata(metadata, current.metadata));
    } catch (error) {
      throw translateError(error, { operation: "metadata", stream });
    }
  }

  async ping(options: PingOptions = {}): Promise<void> {
    this.#assertOpen();
    await pingWithin("EventStoreDB", options, (signal, timeoutMs) => pingEventStoreDB(this.#client, signal, timeoutMs));
  }

  async close(): Promise<void> {
    if (this.#closing.signal.aborted) return;
    this.#closing.abort(new ClosedError("EventStream closed"));
    if (this.#ownsClient) await this.#client.dispose();
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

  #assertOpen(): void {
    if (this.#closing.signal.aborted) throw new ClosedError("This EventStream has been closed");
  }
}
