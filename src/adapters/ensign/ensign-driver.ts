import { setMaxListeners } from "node:events";
import type { Capabilities, CapabilityName } from "../../core/capabilities.js";
import type { CodecRegistry } from "../../core/codec.js";
import type { AppendRequest, EventStoreDriver, ReadAllRequest, ReadRequest } from "../../core/driver.js";
import { ClosedError, StreamNotFoundError } from "../../core/errors.js";
import type { AppendResult, RecordedEvent } from "../../core/event.js";
import type { Logger } from "../../core/observability/logger.js";
import type { PreparedEvent } from "../../core/prepare.js";
import type { Feed } from "../../core/subscription.js";
import type { ResolvedTarget } from "../../core/subscription-target.js";
import { ENSIGN_UNSUPPORTED, ensignCapabilities } from "./capabilities.js";
import type { EnsignConfig } from "./config.js";
import { Ensign } from "./ensign-client.js";
import { EnsignAppender } from "./ensign-append.js";
import { compileFilter, streamFeed, topicFeed, type FeedContext } from "./ensign-feeds.js";
import { toRecordedEvent } from "./event-mapping.js";
import { pingEnsign } from "./ping.js";
import { makeTopicMapper, topicForCategory, type TopicMapper } from "./topic-mapping.js";
import { TopicViews } from "./topic-views.js";

export interface EnsignDriverOptions {
  readonly codecs: CodecRegistry;
  /** Re-read a subscribed topic at least this often even without a live wake-up. */
  readonly pollIntervalMs: number;
}

/**
 * Ensign under core's runtime. Streams live in topics (by default the stream's category) and are
 * told apart by reserved metadata keys; reads, catch-up and live delivery all go through EnSQL
 * with client-side filtering, revisions are numbered per stream after de-duplication by event
 * id, and Subscribe streams only wake the reader. See docs/ensign.md.
 */
export class EnsignDriver implements EventStoreDriver {
  readonly capabilities: Capabilities;
  readonly displayName = "Ensign";
  readonly positionParts = 1;
  readonly unsupported: Partial<Record<CapabilityName, string>> = ENSIGN_UNSUPPORTED;
  readonly client: Ensign;
  readonly topicFor: TopicMapper;
  readonly #fixedTopic: string | undefined;
  readonly #codecs: CodecRegistry;
  readonly #pollIntervalMs: number;
  /** Ends this driver's own waits (read-backs) when the store closes. */
  readonly #closing = new AbortController();
  readonly #views: TopicViews;
  readonly #appender: EnsignAppender;

  constructor(config: EnsignConfig, options: EnsignDriverOptions) {
    this.capabilities = ensignCapabilities(config);
    this.topicFor = makeTopicMapper(config);
    this.#fixedTopic = config.topic;
    this.#codecs = options.codecs;
    this.#pollIntervalMs = options.pollIntervalMs;
    this.client = new Ensign(config);
    setMaxListeners(0, this.#closing.signal);
    this.#views = new TopicViews(this.client, this.#closing.signal);
    this.#appender = new EnsignAppender(this.client, this.#views, config);
  }

  useLogger(logger: Logger): void {
    this.client.logger = logger;
  }

  appendSizeOf(stream: string, event: PreparedEvent): number {
    return this.#appender.sizeOf(stream, event);
  }

  append({ stream, events, expectedRevision }: AppendRequest): Promise<AppendResult> {
    return this.#appender.append(stream, this.topicFor(stream), events, expectedRevision);
  }

  async *read({ stream, direction, from, maxCount, signal }: ReadRequest): AsyncGenerator<RecordedEvent> {
    const log = this.#views.of(this.topicFor(stream));
    await this.#views.refreshSettled(log, stream);
    signal?.throwIfAborted();
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

  /** Called only with one fixed topic (globalOrder). */
  async *readAll({ direction, from, maxCount, filter, signal }: ReadAllRequest): AsyncGenerator<RecordedEvent> {
    const matches = compileFilter(filter);
    const log = this.#views.of(this.#fixedTopic!);
    await this.#views.refreshSettled(log);
    signal?.throwIfAborted();
    const entries = log.entries.slice();
    const forwards = direction === "forwards";
    let index: number;
    if (from === "start") index = forwards ? 0 : entries.length - 1;
    else if (from === "end") index = forwards ? entries.length : entries.length - 1;
    else {
      const offset = from.parts[0]!;
      const at = log.indexAtOrAfter(offset);
      index = forwards ? at : at < entries.length && entries[at]!.entry.offset === offset ? at : at - 1;
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

  feed(target: ResolvedTarget): Feed {
    if (target.kind === "stream") return streamFeed(this.#feedContext(this.topicFor(target.stream)), target.stream);
    if (target.kind === "category") {
      // Category subscriptions are offered only where the category's topic is known.
      const topic = this.#fixedTopic ?? topicForCategory(target.category);
      return topicFeed(this.#feedContext(topic), compileFilter(undefined, target.prefix));
    }
    return topicFeed(this.#feedContext(this.#fixedTopic!), compileFilter(target.filter));
  }

  ping(signal: AbortSignal): Promise<void> {
    return pingEnsign(this.client, signal);
  }

  async close(): Promise<void> {
    this.#closing.abort(new ClosedError("EventStream closed"));
    await this.client.close();
  }

  #feedContext(topic: string): FeedContext {
    const log = this.#views.of(topic);
    return {
      client: this.client,
      log,
      codecs: this.#codecs,
      ensureTopic: () => this.client.resolveTopicId(topic, true),
      pollIntervalMs: this.#pollIntervalMs,
      refreshSettled: (stream) => this.#views.refreshSettled(log, stream),
    };
  }
}
