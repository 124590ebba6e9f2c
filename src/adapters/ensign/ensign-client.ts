import { notify, silentLogger, type Logger } from "../../core/observability/logger.js";
import { ClosedError, ValidationError } from "../../core/errors.js";
import type { RetryOptions } from "../../core/event-stream.js";
import { AuthClient } from "./auth-client.js";
import { EnsignConnection } from "./connection.js";
import { resolveConnectionSettings, type ConnectionSettings } from "./credentials.js";
import { TopicNotFoundError } from "./errors.js";
import { EnsignEvent } from "./ensign-event.js";
import { Publisher, type PublishAck } from "./publisher.js";
import { QueryCursor, type QueryOptions } from "./query-cursor.js";
import { Subscriber } from "./subscriber.js";
import { TopicCache } from "./topic-cache.js";
import { TopicsApi, type ProjectStatistics, type ServerStatus, type TopicStateName, type TopicSummary } from "./topics.js";
import { encodeEvent } from "./wire/codec.js";
import { isUlidString, newUlid, ulidFromString, ulidToString } from "./wire/ids.js";
import type { EventWrapper } from "./wire/messages.js";

/** How the Ensign client connects: endpoint, credentials, auth server, windows, reconnects. */
export interface EnsignOptions {
  readonly clientId?: string;
  readonly clientSecret?: string;
  /** A JSON file `{"ClientID": "...", "ClientSecret": "..."}`. */
  readonly credentialsPath?: string;
  /** `host:port`; default ENSIGN_ENDPOINT or ensign.rotational.app:443. */
  readonly endpoint?: string;
  /** Plaintext gRPC for local servers. */
  readonly insecure?: boolean;
  /** Quarterdeck base URL; default ENSIGN_AUTH_URL or https://auth.rotational.app. */
  readonly authUrl?: string;
  /** Most events awaiting an ack on the publish stream. Default 1024. */
  readonly publishWindow?: number;
  /** Reconnect policy of publish and subscribe streams. */
  readonly reconnect?: RetryOptions;
  /** Where notices go (a throwing onAck/onNack callback); silent by default. */
  readonly logger?: Logger;
}

/** Options of `Ensign.publish`: ack and nack callbacks, and topic creation. */
export interface PublishOptions {
  readonly onAck?: (ack: PublishAck, event: EnsignEvent) => void;
  readonly onNack?: (error: Error, event: EnsignEvent) => void;
  /** Create the topic when it does not exist. */
  readonly ensureExists?: boolean;
}

/** A subscription of the client: Ensign events to `ack()` / `nack(code)`. */
export interface EnsignSubscription extends AsyncIterable<EnsignEvent> {
  /** Resolves once the server is delivering (Ensign's Subscribe is live-only). */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

/** The Ensign client's reconnect policy when none is given. */
export const DEFAULT_RECONNECT: Required<RetryOptions> = { maxAttempts: 30, initialDelayMs: 100, maxDelayMs: 2_000 };

/**
 * An Ensign client with pyensign's surface: `publish(topic, ...events)`, `subscribe(...topics)`,
 * `query(sql)`, the topic RPCs, `flush()` and `close()`. One publish stream is shared by every
 * publish; topics are resolved through a name → id cache fed by StreamReady.
 */
export class Ensign {
  readonly settings: ConnectionSettings;
  readonly auth: AuthClient;
  readonly connection: EnsignConnection;
  readonly topicCache = new TopicCache();
  readonly topics: TopicsApi;
  readonly clientId = ulidToString(newUlid());
  /** Where this client's notices go, and those of the store built on it; silent by default. */
  logger: Logger;
  readonly #reconnect: Required<RetryOptions>;

  /** The reconnect policy of this client's streams (also used to retry reads). */
  get reconnectPolicy(): Required<RetryOptions> {
    return this.#reconnect;
  }
  readonly #window: number;
  readonly #subscriptions = new Set<Subscriber>();
  #publisher: Publisher | undefined;
  #closed = false;

  constructor(options: EnsignOptions = {}) {
    this.settings = resolveConnectionSettings({ backend: "ensign", ...options });
    this.auth = new AuthClient({ authUrl: this.settings.authUrl, credentials: this.settings.credentials });
    this.connection = new EnsignConnection({ endpoint: this.settings.endpoint, insecure: this.settings.insecure, auth: this.auth });
    this.topics = new TopicsApi(this.connection, this.topicCache, () => this.#publisher?.requestReopen());
    this.#reconnect = { ...DEFAULT_RECONNECT, ...options.reconnect };
    this.#window = options.publishWindow ?? 1024;
    this.logger = options.logger ?? silentLogger;
  }

  /** The shared publish stream (opened on first use). */
  get publisher(): Publisher {
    this.#assertOpen();
    this.#publisher ??= new Publisher(this.connection, {
      window: this.#window,
      reconnect: this.#reconnect,
      clientId: this.clientId,
      onReady: (topics) => this.topicCache.feed(topics),
    });
    return this.#publisher;
  }

  /**
   * Queues events on the topic (a name or ULID string) and returns once they are queued; each
   * event's `waitForAck()` settles with its ack or typed nack error.
   */
  async publish(topic: string, ...args: (EnsignEvent | readonly EnsignEvent[] | PublishOptions)[]): Promise<void> {
    this.#assertOpen();
    const { events, options } = splitPublishArgs(args);
    if (typeof topic !== "string") throw new ValidationError("The topic must be a string name or id", "topic");
    if (topic === "") throw new ValidationError("The topic must not be empty", "topic");
    if (events.length === 0) throw new ValidationError("publish() needs at least one event", "events");
    const topicId = await this.resolveTopicId(topic, options.ensureExists ?? false);
    for (const event of events) {
      const settled = event.trackPublish(this.publisher.publish(topicId, encodeEvent(event.toWire())));
      settled.then(
        (ack) => this.#safely(() => options.onAck?.(ack, event)),
        (error: Error) => this.#safely(() => options.onNack?.(error, event)),
      );
    }
  }

  /** Topic name or ULID text → 16-byte id (cache, then ListTopics, then CreateTopic when asked). */
  async resolveTopicId(topic: string, ensureExists = false): Promise<Uint8Array> {
    const cached = this.topicCache.resolve(topic);
    if (cached) return cached;
    if (isUlidString(topic)) return ulidFromString(topic);
    if (ensureExists) return ulidFromString(await this.topics.ensure(topic));
    const found = await this.topics.findId(topic);
    if (!found) throw new TopicNotFoundError(topic);
    return found;
  }

  /** Live events of the topics (names or ULID strings), each to `ack()` or `nack(code)`. */
  subscribe(...topics: string[]): EnsignSubscription {
    this.#assertOpen();
    if (topics.length === 0) throw new ValidationError("subscribe() needs at least one topic", "topics");
    if (topics.some((t) => typeof t !== "string" || t === "")) throw new ValidationError("Topics must be non-empty strings", "topics");
    const resolved = topics.map((t) => {
      const id = this.topicCache.get(t);
      return id ? ulidToString(id) : t;
    });
    const subscriber = this.openSubscriber(resolved);
    return {
      ready: subscriber.ready,
      close: () => subscriber.close(),
      async *[Symbol.asyncIterator]() {
        for await (const delivery of subscriber) yield EnsignEvent.fromWrapper(delivery.wrapper, delivery);
      },
    };
  }

  /**
   * @internal A raw Subscribe stream, closed with the client. `reconnect` overrides the client's
   * policy (EventStream subscriptions pass none: they reconnect, and report it, themselves).
   */
  openSubscriber(topics: readonly string[], onReady?: () => void, reconnect: Required<RetryOptions> = this.#reconnect): Subscriber {
    this.#assertOpen();
    const subscriber = new Subscriber(this.connection, {
      topics,
      clientId: this.clientId,
      reconnect,
      onReady: (map) => {
        this.topicCache.feed(map);
        onReady?.();
      },
    });
    this.#subscriptions.add(subscriber);
    void subscriber.ready.catch(() => undefined);
    return subscriber;
  }

  /** Runs an EnSQL query; the cursor yields Ensign events. */
  query(sql: string, options: QueryOptions = {}): Promise<QueryCursor<EnsignEvent>> {
    this.#assertOpen();
    return QueryCursor.open(this.connection, sql, options, (wrapper: EventWrapper) => EnsignEvent.fromWrapper(wrapper));
  }

  // pyensign's topic methods, on the client itself (the full set is on `topics`).

  /** The topic's id (ULID text), creating the topic when it does not exist. */
  ensureTopic(name: string): Promise<string> {
    return this.topics.ensure(name);
  }

  /** Creates a topic and returns its id (ULID text). */
  async createTopic(name: string): Promise<string> {
    return (await this.topics.create(name)).id;
  }

  topicExists(name: string): Promise<boolean> {
    return this.topics.exists(name);
  }

  /** The id (ULID text) of a topic by name; TopicNotFoundError when there is none. */
  topicId(name: string): Promise<string> {
    return this.topics.id(name);
  }

  /** Every topic of the project, all pages. */
  async listTopics(): Promise<TopicSummary[]> {
    const topics: TopicSummary[] = [];
    for await (const topic of this.topics.list()) topics.push(topic);
    return topics;
  }

  retrieveTopic(nameOrId: string): Promise<TopicSummary> {
    return this.topics.retrieve(nameOrId);
  }

  archiveTopic(nameOrId: string): Promise<TopicStateName> {
    return this.topics.archive(nameOrId);
  }

  destroyTopic(nameOrId: string): Promise<TopicStateName> {
    return this.topics.destroy(nameOrId);
  }

  info(topics: readonly string[] = []): Promise<ProjectStatistics> {
    return this.topics.info(topics);
  }

  status(): Promise<ServerStatus> {
    return this.topics.status();
  }

  /** Waits until every published event is acknowledged (or failed). */
  async flush(timeoutMs = 30_000): Promise<void> {
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new ValidationError("flush timeout must be positive", "timeoutMs");
    await this.#publisher?.flush(timeoutMs);
  }

  /** Flushes, closes every stream and the channel. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#publisher?.close();
    await Promise.all([...this.#subscriptions].map((s) => s.close()));
    this.connection.close();
  }

  get closed(): boolean {
    return this.#closed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new ClosedError("The Ensign client is closed");
  }

  #safely(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      // Like pyensign: a failing callback must not break the publish stream, but it is reported.
      notify(this.logger, {
        level: "warn",
        code: "ENSIGN_CALLBACK_FAILED",
        message: `An Ensign onAck/onNack callback threw: ${(error as Error)?.message ?? String(error)}`,
        error,
      });
    }
  }
}

function splitPublishArgs(args: unknown[]): { events: EnsignEvent[]; options: PublishOptions } {
  const events: EnsignEvent[] = [];
  let options: PublishOptions = {};
  for (const [i, arg] of args.entries()) {
    if (arg instanceof EnsignEvent) events.push(arg);
    else if (Array.isArray(arg) && arg.every((e) => e instanceof EnsignEvent)) events.push(...(arg as EnsignEvent[]));
    else if (i === args.length - 1 && typeof arg === "object" && arg !== null) options = arg as PublishOptions;
    else throw new ValidationError(`publish() argument ${i + 2} is not an EnsignEvent`, "events");
  }
  return { events, options };
}

