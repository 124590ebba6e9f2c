import { setMaxListeners } from "node:events";
import type { Capabilities } from "../../core/capabilities.js";
import { CodecRegistry } from "../../core/codec.js";
import {
  ClosedError,
  ConfigurationError,
  ConnectionError,
  PartialAppendError,
  StreamNotFoundError,
  SwitchyardError,
  UnsupportedOperationError,
  ValidationError,
} from "../../core/errors.js";
import type { AppendResult, EventData, ExpectedRevision, RecordedEvent } from "../../core/event.js";
import type {
  AppendOptions,
  DeleteOptions,
  EventStream,
  PersistentSubscriptions,
  PingOptions,
  ReadAllOptions,
  ReadOptions,
  StreamMetadata,
  SubscribeOptions,
  Subscription,
  SubscriptionTarget,
} from "../../core/event-stream.js";
import { pingWithin } from "../../core/ping.js";
import { Position } from "../../core/position.js";
import { prepareEvents } from "../../core/prepare.js";
import { createSubscription, sleep } from "../../core/subscription.js";
import { resolveStart, resolveTarget } from "../../core/subscription-target.js";
import { assertExpectedRevision, assertStreamName, toDirection, toMaxCount } from "../../core/validation.js";
import { ensignConfigSchema, type EnsignConfig } from "./config.js";
import { Ensign } from "./ensign-client.js";
import { compileFilter, streamFeed, topicFeed, type FeedContext } from "./ensign-feeds.js";
import { ENSIGN_BACKEND, positionOf, toEnsignEventBytes, toRecordedEvent } from "./event-mapping.js";
import { pingEnsign } from "./ping.js";
import { bumpWriteGeneration, checkExpectedRevision, withWriterLock, writeMark } from "./single-writer.js";
import { TopicLog, type KnownEvent, type NumberedEntry } from "./topic-log.js";
import { makeTopicMapper, topicForCategory, type TopicMapper } from "./topic-mapping.js";
import { toTimestamp } from "./wire/codec.js";
import { MAX_PUBLISHABLE_EVENT_SIZE } from "./wire/limits.js";

export interface EnsignEventStreamOptions extends Omit<EnsignConfig, "backend"> {
  readonly backend?: "ensign";
  /** Codecs for content types beyond json, octet-stream and text. */
  readonly codecs?: CodecRegistry;
  /** Re-read a subscribed topic at least this often even without a live wake-up. Default 5 s. */
  readonly pollIntervalMs?: number;
}

/** Opens the Ensign adapter (what `connect("ensign://…")` calls). */
export function createEnsignEventStream(options: EnsignConfig | EnsignEventStreamOptions): EnsignEventStream {
  return new EnsignEventStream(options);
}

/** What the Ensign adapter can promise for a given configuration (known before connecting). */
export function ensignCapabilities(options: Pick<EnsignConfig, "consistency" | "topic" | "topicFor"> = {}): Capabilities {
  return Object.freeze({
    backend: ENSIGN_BACKEND,
    expectedRevision: options.consistency === "single-writer",
    atomicAppend: false,
    idempotentIds: true,
    readBackward: true,
    globalOrder: options.topic !== undefined,
    catchUpSubscriptions: true,
    categorySubscriptions: options.topicFor === undefined,
    persistentSubscriptions: false,
    delete: false,
    tombstone: false,
    streamMetadata: false,
    maxAppendBytes: MAX_PUBLISHABLE_EVENT_SIZE,
    maxAppendBytesPer: "event",
  });
}

/**
 * The EventStream port over Ensign. Streams live in topics (by default the stream's category)
 * and are told apart by reserved metadata keys; reads, catch-up and live delivery all go through
 * EnSQL with client-side filtering, revisions are numbered per stream after de-duplication by
 * event id, and Subscribe streams only wake the reader. See docs/ensign.md.
 */
export class EnsignEventStream implements EventStream {
  readonly capabilities: Capabilities;
  readonly persistentSubscriptions: PersistentSubscriptions = unsupportedPersistentSubscriptions();
  /** The underlying client, for topic management and Ensign-native publish/subscribe/query. */
  readonly client: Ensign;
  readonly #config: EnsignConfig;
  readonly #codecs: CodecRegistry;
  readonly #topicFor: TopicMapper;
  readonly #logs = new Map<string, TopicLog>();
  readonly #closing = new AbortController();
  readonly #pollIntervalMs: number;
  readonly #seenGenerations = new Map<string, number>();

  constructor(options: EnsignConfig | EnsignEventStreamOptions) {
    const { codecs, pollIntervalMs, ...rest } = options as EnsignEventStreamOptions;
    const parsed = ensignConfigSchema.safeParse({ ...rest, backend: "ensign" });
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(config)"}: ${i.message}`).join("; ");
      throw new ConfigurationError(`Invalid ensign config: ${issues}`);
    }
    this.#config = parsed.data;
    this.#codecs = codecs ?? new CodecRegistry();
    this.#pollIntervalMs = pollIntervalMs ?? 5_000;
    this.#topicFor = makeTopicMapper(this.#config);
    this.capabilities = ensignCapabilities(this.#config);
    this.client = new Ensign(this.#config);
    // Every subscription and wait listens to this one signal.
    setMaxListeners(0, this.#closing.signal);
  }

  async append(stream: string, events: readonly EventData[], options: AppendOptions = {}): Promise<AppendResult> {
    this.#assertOpen();
    const prepared = prepareEvents(stream, events, this.#codecs, this.capabilities.maxAppendBytes, {
      per: this.capabilities.maxAppendBytesPer,
    });
    const expected: ExpectedRevision = options.expectedRevision ?? "any";
    assertExpectedRevision(expected);
    if (expected !== "any" && !this.capabilities.expectedRevision) {
      throw new UnsupportedOperationError(
        "expectedRevision",
        `Ensign cannot enforce expected revision ${String(expected)}: use "any", or consistency=single-writer if this process is the stream's only writer`,
      );
    }
    const topic = this.#topicFor(stream);
    const created = toTimestamp(new Date());
    // The publisher's limit is lower than the capability's once a server reset a stream for less.
    const maxBytes = this.client.publisher.maxEventBytes;
    const encoded = prepared.map((event, i) => toEnsignEventBytes(stream, event, `events[${i}]`, created, maxBytes));
    options.signal?.throwIfAborted();
    const ids = prepared.map((p) => p.id);
    if (this.#config.consistency !== "single-writer") return this.#appendPrepared(stream, topic, ids, encoded, expected, events);
    // single-writer: appends to a stream are serialised in this process, and this EventStream's
    // view of the stream is authoritative while it is current: the view is re-read only when some
    // other EventStream of this process appended since this one last looked (or never read).
    const key = `${this.client.settings.endpoint}|${stream}`;
    return withWriterLock(key, async () => {
      const log = this.#log(topic);
      const mark = writeMark(key);
      if ((this.#seenGenerations.get(key) ?? 0) !== mark.generation || !log.readOnce) {
        await log.refresh();
        if (mark.lastId !== undefined && !log.known(stream, mark.lastId)) await this.#awaitReadable(log, stream, mark.lastId);
        this.#seenGenerations.set(key, mark.generation);
      }
      const attempt = { published: false };
      let lastId: string | undefined;
      try {
        const result = await this.#appendPrepared(stream, topic, ids, encoded, expected, events, attempt);
        lastId = ids[ids.length - 1];
        return result;
      } finally {
        // Other views must re-read; so must this one when a failed publish may have stored part of it.
        if (attempt.published) {
          const generation = bumpWriteGeneration(key, lastId);
          if (lastId !== undefined) this.#seenGenerations.set(key, generation);
        }
      }
    });
  }

  async #appendPrepared(
    stream: string,
    topic: string,
    ids: readonly string[],
    encoded: readonly Uint8Array[],
    expected: ExpectedRevision,
    events: readonly EventData[],
    /** Given by the single writer, whose view is current; set when publishing began. */
    attempt?: { published: boolean },
  ): Promise<AppendResult> {
    const viewIsCurrent = attempt !== undefined;
    const topicId = await this.client.resolveTopicId(topic, true);
    const log = this.#log(topic);
    const callerIds = events.some((e) => e.id !== undefined);
    if (!viewIsCurrent && (callerIds || expected !== "any")) await log.refresh();
    // Ids already in the stream: a retry. All present → nothing to write; some → write the rest.
    const present = callerIds ? ids.map((id) => log.known(stream, id)) : [];
    if (present.length > 0 && present.every((p) => p !== undefined)) return resultOf(present[present.length - 1]!);
    if (expected !== "any") checkExpectedRevision(stream, expected, log.streamLength(stream));
    const unwritten = present.length === 0 ? ids : ids.filter((_, i) => present[i] === undefined);
    const bytes = present.length === 0 ? encoded : encoded.filter((_, i) => present[i] === undefined);
    // The single writer numbers its events itself (the view is current, publishing is in order):
    // no read-back on the append's path. With one topic the position ($all checkpoint) is wanted
    // too, and only a read can tell it, so that mode still reads back.
    const fromAcks = viewIsCurrent && this.#config.topic === undefined;
    const reservedLast = fromAcks ? log.reserve(stream, unwritten) : undefined;
    const publisher = this.client.publisher;
    if (attempt) attempt.published = true;
    const outcomes = await Promise.allSettled(bytes.map((b) => publisher.publish(topicId, b)));
    const failed = unwritten.filter((_, i) => outcomes[i]!.status === "rejected");
    if (failed.length > 0) {
      if (fromAcks) log.release(stream, unwritten);
      const acknowledged = ids.filter((id) => !failed.includes(id));
      const first = (outcomes.find((o) => o.status === "rejected") as PromiseRejectedResult).reason as unknown;
      if (acknowledged.length === 0 && first instanceof SwitchyardError) throw first;
      throw new PartialAppendError(stream, acknowledged, failed, { cause: first });
    }
    // Reservations are read back lazily, by the next read or subscription of the topic; holding
    // one (an id and a revision) costs less than the entry a read-back would keep instead.
    if (reservedLast !== undefined) {
      log.acknowledge(stream, reservedLast);
      return { nextExpectedRevision: reservedLast, position: undefined };
    }
    return resultOf(await this.#awaitReadable(log, stream, ids[ids.length - 1]!));
  }

  /** Acknowledged events are stored; wait until EnSQL shows them to learn their revision. */
  async #awaitReadable(log: TopicLog, stream: string, id: string): Promise<NumberedEntry> {
    for (let attempt = 0; attempt < 50; attempt++) {
      // Concurrent appends share reads: a read already running may show this event (numbering
      // is by topic order, so any read that shows it numbers it right); if not, queue one more.
      const running = log.running;
      if (running) await running.catch(() => undefined); // a failure resurfaces from refresh() below
      const found = log.find(stream, id);
      if (found) return found;
      await log.refresh();
      const entry = log.find(stream, id);
      if (entry) return entry;
      await sleep(Math.min(10 * 2 ** attempt, 200), this.#closing.signal);
      this.#assertOpen();
    }
    throw new ConnectionError(`Event ${id} was acknowledged by Ensign but is not readable from topic ${log.topic} yet`);
  }

  /** Reads the topic until the events this writer numbered from acks, and had acknowledged, are read back (read-your-writes). */
  async #refreshSettled(log: TopicLog, stream?: string): Promise<void> {
    const targets = log.readBackTargets(stream);
    await log.refresh();
    for (let attempt = 0; !log.readBack(targets); attempt++) {
      if (attempt >= 50) throw new ConnectionError(`Acknowledged events are not readable from topic ${log.topic} yet`);
      await sleep(Math.min(10 * 2 ** attempt, 200), this.#closing.signal);
      this.#assertOpen();
      await log.refresh();
    }
  }

  read(stream: string, options: ReadOptions = {}): AsyncIterable<RecordedEvent> {
    return this.#read(stream, options);
  }

  async *#read(stream: string, options: ReadOptions): AsyncGenerator<RecordedEvent> {
    this.#assertOpen();
    assertStreamName(stream);
    const direction = toDirection(options.direction);
    const maxCount = toMaxCount(options.maxCount);
    const from = options.from ?? "start";
    if (from !== "start" && from !== "end" && (typeof from !== "bigint" || from < 0n)) {
      throw new ValidationError(`from must be "start", "end" or a non-negative bigint revision`, "from");
    }
    const log = this.#log(this.#topicFor(stream));
    await this.#refreshSettled(log, stream);
    options.signal?.throwIfAborted();
    const list = log.stream(stream);
    if (!list || list.length === 0) throw new StreamNotFoundError(stream);
    const last = BigInt(list.length) - 1n;
    const forwards = direction === "forwards";
    let revision = from === "start" ? (forwards ? 0n : last) : from === "end" ? (forwards ? last + 1n : last) : from;
    if (!forwards && revision > last) revision = last;
    let delivered = 0n;
    for (; forwards ? revision <= last : revision >= 0n; revision += forwards ? 1n : -1n) {
      if (maxCount !== undefined && delivered >= maxCount) return;
      const numbered = list[Number(revision)]!;
      delivered++;
      yield toRecordedEvent(numbered.entry, numbered.revision, this.#codecs);
    }
  }

  readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    return this.#readAll(options);
  }

  async *#readAll(options: ReadAllOptions): AsyncGenerator<RecordedEvent> {
    this.#assertOpen();
    const direction = toDirection(options.direction);
    const maxCount = toMaxCount(options.maxCount);
    const from = options.from ?? "start";
    const start = from === "start" || from === "end" ? from : Position.from(from, ENSIGN_BACKEND, 1);
    validateFilter(options.filter);
    const topic = this.#config.topic;
    if (topic === undefined) {
      throw new UnsupportedOperationError("globalOrder", "Ensign orders events only within a topic: readAll needs the adapter configured with one topic");
    }
    const matches = compileFilter(options.filter);
    const log = this.#log(topic);
    await this.#refreshSettled(log);
    const entries = log.entries.slice();
    const forwards = direction === "forwards";
    let index: number;
    if (start === "start") index = forwards ? 0 : entries.length - 1;
    else if (start === "end") index = forwards ? entries.length : entries.length - 1;
    else {
      const at = log.indexAtOrAfter(start.parts[0]!);
      index = forwards ? at : at < entries.length && entries[at]!.entry.offset === start.parts[0] ? at : at - 1;
    }
    let delivered = 0n;
    for (; index >= 0 && index < entries.length; index += forwards ? 1 : -1) {
      if (maxCount !== undefined && delivered >= maxCount) return;
      const numbered = entries[index]!;
      if (!matches(numbered)) continue;
      delivered++;
      yield toRecordedEvent(numbered.entry, numbered.revision, this.#codecs);
    }
  }

  subscribe(target: SubscriptionTarget, options: SubscribeOptions = {}): Subscription {
    this.#assertOpen();
    const resolved = resolveTarget(target);
    const from = resolveStart(resolved, options.from, ENSIGN_BACKEND, 1);
    let topic: string;
    let feed;
    if (resolved.kind === "stream") {
      topic = this.#topicFor(resolved.stream);
      feed = streamFeed(this.#feedContext(topic), resolved.stream);
    } else if (resolved.kind === "category") {
      if (!this.capabilities.categorySubscriptions) {
        throw new UnsupportedOperationError("categorySubscriptions", "With a custom topicFor the adapter cannot know a category's topic");
      }
      topic = this.#config.topic ?? topicForCategory(resolved.category);
      feed = topicFeed(this.#feedContext(topic), compileFilter(undefined, resolved.prefix));
    } else {
      validateFilter(resolved.filter);
      if (this.#config.topic === undefined) {
        throw new UnsupportedOperationError("globalOrder", "Ensign orders events only within a topic: $all needs the adapter configured with one topic");
      }
      topic = this.#config.topic;
      feed = topicFeed(this.#feedContext(topic), compileFilter(resolved.filter));
    }
    const signal = options.signal ? AbortSignal.any([options.signal, this.#closing.signal]) : this.#closing.signal;
    return createSubscription({
      orderBy: resolved.kind === "stream" ? "stream" : "global",
      from,
      feed,
      signal,
      retry: options.retry,
      onReconnect: options.onReconnect,
    });
  }

  async delete(_stream: string, _options?: DeleteOptions): Promise<void> {
    this.#assertOpen();
    throw new UnsupportedOperationError("delete", "Ensign cannot delete a stream: its events share a topic with other streams and topics are append-only");
  }

  async tombstone(_stream: string, _options?: DeleteOptions): Promise<void> {
    this.#assertOpen();
    throw new UnsupportedOperationError("tombstone", "Ensign cannot tombstone a stream: topics are append-only");
  }

  async getStreamMetadata(_stream: string): Promise<StreamMetadata> {
    this.#assertOpen();
    throw new UnsupportedOperationError("streamMetadata", "Ensign has no per-stream retention settings");
  }

  async setStreamMetadata(_stream: string, _metadata: StreamMetadata): Promise<void> {
    this.#assertOpen();
    throw new UnsupportedOperationError("streamMetadata", "Ensign has no per-stream retention settings");
  }

  async ping(options: PingOptions = {}): Promise<void> {
    this.#assertOpen();
    await pingWithin("Ensign", options, (signal) => pingEnsign(this.client, signal));
  }

  async close(): Promise<void> {
    if (this.#closing.signal.aborted) return;
    this.#closing.abort(new ClosedError("EventStream closed"));
    await this.client.close();
  }

  /** The topic a stream's events go to. */
  topicOf(stream: string): string {
    assertStreamName(stream);
    return this.#topicFor(stream);
  }

  #feedContext(topic: string): FeedContext {
    return {
      client: this.client,
      log: this.#log(topic),
      codecs: this.#codecs,
      ensureTopic: () => this.client.resolveTopicId(topic, true),
      pollIntervalMs: this.#pollIntervalMs,
      refreshSettled: (stream) => this.#refreshSettled(this.#log(topic), stream),
    };
  }

  #log(topic: string): TopicLog {
    let log = this.#logs.get(topic);
    if (!log) this.#logs.set(topic, (log = new TopicLog(topic, this.client.connection, this.client.topics, this.client.reconnectPolicy)));
    return log;
  }

  #assertOpen(): void {
    if (this.#closing.signal.aborted) throw new ClosedError("This EventStream has been closed");
  }
}

function resultOf(known: KnownEvent): AppendResult {
  return { nextExpectedRevision: known.revision, position: known.entry ? positionOf(known.entry.offset) : undefined };
}

function validateFilter(filter: unknown): void {
  if (filter === undefined) return;
  if (typeof filter !== "object" || filter === null) throw new ValidationError("filter must be an object", "filter");
  for (const field of ["streamPrefixes", "eventTypes"] as const) {
    const list = (filter as Record<string, unknown>)[field];
    if (list === undefined) continue;
    if (!Array.isArray(list) || list.length === 0 || list.some((s) => typeof s !== "string" || s.length === 0)) {
      throw new ValidationError(`filter.${field} must be a non-empty array of non-empty strings`, `filter.${field}`);
    }
  }
}

function unsupportedPersistentSubscriptions(): PersistentSubscriptions {
  const fail = (): never => {
    throw new UnsupportedOperationError("persistentSubscriptions", "Ensign's server ignores consumer groups, so it offers no persistent subscriptions");
  };
  return { create: async () => fail(), update: async () => fail(), delete: async () => fail(), connect: () => fail() };
}

