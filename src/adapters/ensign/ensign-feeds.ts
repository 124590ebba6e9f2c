import type { CodecRegistry } from "../../core/codec.js";
import { ConnectionError } from "../../core/errors.js";
import type { EventFilter } from "../../core/event-stream.js";
import type { Position } from "../../core/position.js";
import { notify } from "../../core/observability/logger.js";
import { sleep, type Feed, type FeedMessage, type FeedStart } from "../../core/subscription.js";
import type { Ensign } from "./ensign-client.js";
import { toRecordedEvent } from "./event-mapping.js";
import type { NumberedEntry, TopicLog } from "./topic-log.js";

export interface FeedContext {
  readonly client: Ensign;
  readonly log: TopicLog;
  readonly codecs: CodecRegistry;
  /** Creates the topic if needed: Subscribe fails on a project without the topic. */
  readonly ensureTopic: () => Promise<unknown>;
  /** Safety net: re-read even without a wake-up this often (Ensign drops events for slow subscribers). */
  readonly pollIntervalMs: number;
  /** Refreshes until the events this writer numbered from acks (of `stream`, or of the topic) are read back. */
  readonly refreshSettled: (stream?: string) => Promise<void>;
}

/** What a feed delivers next from the topic log, advancing past it. */
type Cursor = (log: TopicLog) => NumberedEntry[];

/** A stream feed: entries of `stream` with a revision after `start`. */
export function streamFeed(ctx: FeedContext, stream: string): Feed {
  return liveFeed(ctx, stream, (start) => {
    let after: bigint | undefined = typeof start === "bigint" ? start : start === "start" ? -1n : undefined;
    return (log) => {
      const list = log.stream(stream) ?? [];
      after ??= BigInt(list.length) - 1n; // "end": only what is appended from now on
      const fresh = list.slice(Number(after + 1n));
      if (fresh.length > 0) after = fresh[fresh.length - 1]!.revision;
      return fresh;
    };
  });
}

/** A category or `$all` feed: matching entries with a topic offset after `start`. */
export function topicFeed(ctx: FeedContext, matches: (entry: NumberedEntry) => boolean): Feed {
  return liveFeed(ctx, undefined, (start) => {
    // Core resolved any other start to a position of this backend.
    let after: bigint | undefined = start === "start" ? -1n : start === "end" ? undefined : (start as Position).parts[0]!;
    return (log) => {
      after ??= log.rowCount - 1n;
      const entries = log.entries;
      const fresh: NumberedEntry[] = [];
      for (let i = log.indexAtOrAfter(after + 1n); i < entries.length; i++) if (matches(entries[i]!)) fresh.push(entries[i]!);
      after = log.rowCount - 1n;
      return fresh;
    };
  });
}

export function compileFilter(filter: EventFilter | undefined, extraPrefix?: string): (entry: NumberedEntry) => boolean {
  const prefixes = filter?.streamPrefixes;
  const types = filter?.eventTypes ? new Set(filter.eventTypes) : undefined;
  return ({ entry }) =>
    (extraPrefix === undefined || entry.streamId.startsWith(extraPrefix)) &&
    (!prefixes || prefixes.some((p) => entry.streamId.startsWith(p))) &&
    (!types || types.has(entry.type));
}

/** The feed's Subscribe stream does not reconnect on its own: a drop ends the feed. */
const NO_RECONNECT = { maxAttempts: 0, initialDelayMs: 0, maxDelayMs: 0 };

/**
 * History then live, without a gap: the Subscribe stream is opened (and ready) before the first
 * EnSQL read, and every live event only wakes the feed, which then reads the topic from its last
 * offset by EnSQL. So nothing the Subscribe stream missed (it is live-only and drops for slow
 * consumers) is lost. A dropped Subscribe stream ends the feed with a ConnectionError at once,
 * even in the middle of a read, so that the core subscription reconnects (and reports it) after
 * the last delivered event.
 */
function liveFeed(ctx: FeedContext, stream: string | undefined, makeCursor: (start: FeedStart) => Cursor): Feed {
  return async function* (start: FeedStart, signal: AbortSignal): AsyncGenerator<FeedMessage> {
    await ctx.ensureTopic();
    const bell = new Bell();
    const subscriber = ctx.client.openSubscriber([ctx.log.topic], () => bell.ring(), NO_RECONNECT);
    const stop = () => void subscriber.close();
    signal.addEventListener("abort", stop, { once: true });
    const listening = (async () => {
      try {
        for await (const delivery of subscriber) {
          delivery.ack();
          bell.ring();
        }
        if (!signal.aborted) bell.fail(new ConnectionError("The Ensign Subscribe stream ended"));
      } catch (error) {
        bell.fail(error);
      }
    })();
    try {
      await readyOrAborted(subscriber.ready, signal);
      const next = makeCursor(start);
      let caughtUp = false;
      // "end" means after everything appended so far, this process's acknowledged appends included.
      let first = start === "end";
      // Set when the last wait ended by the poll interval rather than a live wake-up.
      let polled = false;
      while (!signal.aborted) {
        const woken = bell.next();
        // The read may go on retrying (it is shared with appends and reads); the feed does not wait.
        await Promise.race([first ? ctx.refreshSettled(stream) : ctx.log.refresh(), bell.failed]);
        first = false;
        const fresh = next(ctx.log);
        if (polled && fresh.length > 0) reportMissedWakeUps(ctx, fresh.length);
        for (const numbered of fresh) {
          if (signal.aborted) return;
          yield { kind: "event", event: toRecordedEvent(numbered.entry, numbered.revision, ctx.codecs) };
        }
        if (!caughtUp) {
          caughtUp = true;
          yield { kind: "caughtUp" };
        }
        polled = !(await wakeOrTimeout(woken, ctx.pollIntervalMs, signal));
      }
    } finally {
      signal.removeEventListener("abort", stop);
      await subscriber.close();
      await listening;
    }
  };
}

/**
 * Events found by the poll with no live wake-up: the server dropped this subscriber's live
 * notifications (it does for slow consumers), or one is late. Nothing is lost (EnSQL read them),
 * but delivery lagged by up to the poll interval.
 */
function reportMissedWakeUps(ctx: FeedContext, count: number): void {
  notify(ctx.client.logger, {
    level: "info",
    code: "ENSIGN_SLOW_CONSUMER",
    message: `Ensign topic ${ctx.log.topic}: ${count} event(s) found by polling without a live notification (dropped for a slow consumer, or late); read by EnSQL, nothing lost`,
    attributes: { topic: ctx.log.topic, events: count, pollIntervalMs: ctx.pollIntervalMs },
  });
}

/** Waits for a wake-up, the poll interval or the abort, leaving no timer or listener behind; true when woken. */
async function wakeOrTimeout(woken: Promise<void>, ms: number, signal: AbortSignal): Promise<boolean> {
  // An abort listener added to an aborted signal never runs: a feed resumed after close() would wait.
  if (signal.aborted) return true;
  const timer = new AbortController();
  const stop = () => timer.abort();
  signal.addEventListener("abort", stop, { once: true });
  try {
    return await Promise.race([woken.then(() => true), sleep(ms, timer.signal).then(() => false)]);
  } finally {
    timer.abort();
    signal.removeEventListener("abort", stop);
  }
}

function readyOrAborted(ready: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve();
    signal.addEventListener("abort", onAbort, { once: true });
    ready.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** Wake-ups: `next()` settles on the first ring after it was called, or rejects once failed. */
class Bell {
  #promise!: Promise<void>;
  #resolve!: () => void;
  #reject!: (error: unknown) => void;
  #failed = false;
  /** Rejects once the bell has failed. */
  readonly failed: Promise<never>;
  #fail!: (error: unknown) => void;

  constructor() {
    this.#arm();
    this.failed = new Promise<never>((_, reject) => (this.#fail = reject));
    this.failed.catch(() => undefined);
  }

  #arm(): void {
    this.#promise = new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.#promise.catch(() => undefined);
  }

  next(): Promise<void> {
    return this.#promise;
  }

  ring(): void {
    if (this.#failed) return;
    const resolve = this.#resolve;
    this.#arm();
    resolve();
  }

  fail(error: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#reject(error);
    this.#fail(error);
  }
}
