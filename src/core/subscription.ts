import { ClosedError, ConnectionError, isConnectionError, ValidationError } from "./errors.js";
import type { RecordedEvent } from "./event.js";
import type { ReconnectInfo, RetryOptions, Subscription } from "./event-stream.js";
import { notify, type Logger } from "./observability/logger.js";
import type { Position } from "./position.js";

/** Where a feed starts: exclusive of a revision (stream feeds) or a position (category, `$all`). */
export type FeedStart = "start" | "end" | bigint | Position;

/** What an adapter's feed yields: events, the caught-up marker, and (filtered `$all`) checkpoints. */
export type FeedMessage =
  | { readonly kind: "event"; readonly event: RecordedEvent }
  | { readonly kind: "caughtUp" }
  | { readonly kind: "checkpoint"; readonly position: Position };

/**
 * An adapter-side source of events. It must yield history strictly after `start`, then
 * `caughtUp`, then live events, and end (or throw) promptly when `signal` aborts. A dropped
 * connection is thrown as a `ConnectionError`; the subscription reopens the feed after the last
 * event it delivered.
 */
export type Feed = (start: FeedStart, signal: AbortSignal) => AsyncIterable<FeedMessage>;

export interface ManagedSubscriptionOptions {
  /** "stream" resumes and de-duplicates by revision; "global" by position. */
  readonly orderBy: "stream" | "global";
  readonly from: FeedStart;
  readonly feed: Feed;
  readonly retry?: RetryOptions;
  readonly signal?: AbortSignal;
  /** Called when a reconnect is scheduled (see `SubscribeOptions.onReconnect`). */
  readonly onReconnect?: ((info: ReconnectInfo) => void) | undefined;
  /** Told of every reconnect and of a failing `onReconnect`; silent by default. */
  readonly logger?: Logger;
  /** Called as each event is handed to the consumer (tracing's delivery spans). */
  readonly onDeliver?: (event: RecordedEvent) => void;
}

const DEFAULT_RETRY: Required<RetryOptions> = { maxAttempts: Infinity, initialDelayMs: 100, maxDelayMs: 5_000 };

/**
 * The subscription every adapter returns: wraps a feed with caught-up signalling, de-duplication
 * at the catch-up/live switch and after reconnects, reconnection with jittered backoff, and close.
 */
export function createSubscription(options: ManagedSubscriptionOptions): Subscription {
  return new ManagedSubscription(options);
}

class ManagedSubscription implements Subscription {
  readonly #options: ManagedSubscriptionOptions;
  readonly #retry: Required<RetryOptions>;
  readonly #abort = new AbortController();
  readonly caughtUp: Promise<void>;
  #resolveCaughtUp!: () => void;
  #rejectCaughtUp!: (error: unknown) => void;
  #isCaughtUp = false;
  #closed = false;
  #iterated = false;
  #lastEvent: RecordedEvent | undefined;
  #checkpoint: Position | undefined;
  #reconnecting: ReconnectInfo | undefined;
  #detachSignal: (() => void) | undefined;

  constructor(options: ManagedSubscriptionOptions) {
    if (options.onReconnect !== undefined && typeof options.onReconnect !== "function") {
      throw new ValidationError("onReconnect must be a function", "onReconnect");
    }
    this.#options = options;
    this.#retry = { ...DEFAULT_RETRY, ...options.retry };
    this.caughtUp = new Promise<void>((resolve, reject) => {
      this.#resolveCaughtUp = resolve;
      this.#rejectCaughtUp = reject;
    });
    // A subscription that fails before it catches up must not raise an unhandled rejection.
    this.caughtUp.catch(() => undefined);
    const { signal } = options;
    if (signal) {
      if (signal.aborted) void this.close();
      else {
        // Often a signal shared by every subscription of a client: detach on close, or it leaks.
        const onAbort = () => void this.close();
        signal.addEventListener("abort", onAbort, { once: true });
        this.#detachSignal = () => signal.removeEventListener("abort", onAbort);
      }
    }
  }

  get isCaughtUp(): boolean {
    return this.#isCaughtUp;
  }

  get lastEvent(): RecordedEvent | undefined {
    return this.#lastEvent;
  }

  get reconnecting(): ReconnectInfo | undefined {
    return this.#reconnecting;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#detachSignal?.();
    this.#abort.abort(new ClosedError("Subscription closed"));
    if (!this.#isCaughtUp) this.#rejectCaughtUp(new ClosedError("Subscription closed before it caught up"));
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    if (this.#iterated) throw new ClosedError("A subscription can be iterated only once");
    this.#iterated = true;
    const generator = this.#run();
    return {
      next: () => generator.next(),
      return: async () => {
        await this.close();
        return generator.return(undefined);
      },
    };
  }

  async *#run(): AsyncGenerator<RecordedEvent, void, undefined> {
    let failures = 0;
    while (!this.#closed) {
      try {
        const feed = this.#options.feed(this.#resumePoint(), this.#abort.signal);
        // Seen ahead while the consumer holds the last history event: marked once the consumer's
        // own continuation for that event has run (a macrotask later), or at its next pull.
        const caughtUpAhead = () => setImmediate(() => this.#closed || this.#markCaughtUp());
        for await (const message of readAhead(feed, caughtUpAhead)) {
          if (this.#closed) return;
          if (message.kind === "caughtUp") {
            failures = 0;
            this.#reconnecting = undefined;
            this.#markCaughtUp();
          } else if (message.kind === "checkpoint") {
            this.#checkpoint = message.position;
          } else if (!this.#alreadyDelivered(message.event)) {
            failures = 0;
            this.#reconnecting = undefined;
            this.#lastEvent = message.event;
            this.#checkpoint = undefined;
            this.#options.onDeliver?.(message.event);
            yield message.event;
          }
        }
        if (this.#closed) return;
        // A feed that ends on its own has been cut off: treat it like a dropped connection.
        throw new ConnectionError("The subscription feed ended unexpectedly");
      } catch (error) {
        if (this.#closed) return;
        failures++;
        if (!isConnectionError(error) || failures > this.#retry.maxAttempts) {
          this.#reconnecting = undefined;
          this.#rejectCaughtUp(error);
          this.#closed = true;
          this.#detachSignal?.();
          throw error;
        }
        const info: ReconnectInfo = { attempt: failures, error, delayMs: backoffDelay(failures, this.#retry) };
        this.#reconnecting = info;
        this.#report(info);
        await sleep(info.delayMs, this.#abort.signal);
      }
    }
  }

  #report(info: ReconnectInfo): void {
    const logger = this.#options.logger;
    if (logger) {
      notify(logger, {
        level: "warn",
        code: "SUBSCRIPTION_RECONNECTING",
        message: `Subscription reconnecting (attempt ${info.attempt}) in ${Math.round(info.delayMs)} ms: ${info.error.message}`,
        attributes: { attempt: info.attempt, delayMs: Math.round(info.delayMs) },
        error: info.error,
      });
    }
    try {
      this.#options.onReconnect?.(info);
    } catch (error) {
      // The callback is for observing: its bug must not end or stall the subscription.
      if (logger) {
        notify(logger, {
          level: "warn",
          code: "SUBSCRIPTION_CALLBACK_FAILED",
          message: `A subscription's onReconnect callback threw: ${error instanceof Error ? error.message : String(error)}`,
          error,
        });
      }
    }
  }

  #markCaughtUp(): void {
    if (this.#isCaughtUp) return;
    this.#isCaughtUp = true;
    this.#resolveCaughtUp();
  }

  #resumePoint(): FeedStart {
    const last = this.#lastEvent;
    if (this.#options.orderBy === "stream") return last ? last.revision : this.#options.from;
    const candidates = [last?.position, this.#checkpoint].filter((p): p is Position => p !== undefined);
    if (candidates.length === 0) return this.#options.from;
    return candidates.reduce((a, b) => (a.compareTo(b) >= 0 ? a : b));
  }

  #alreadyDelivered(event: RecordedEvent): boolean {
    const last = this.#lastEvent;
    if (!last) return false;
    if (this.#options.orderBy === "stream") return event.revision <= last.revision;
    return event.position.compareTo(last.position) <= 0;
  }
}

/**
 * The feed read one message ahead, so a `caughtUp` marker that follows the last history event is
 * seen while the consumer still holds that event: `caughtUp` then resolves without waiting for the
 * consumer to ask for one more event (a consumer that takes exactly the history and then awaits
 * `caughtUp` would otherwise wait forever). One message ahead keeps the feed's backpressure.
 */
async function* readAhead(source: AsyncIterable<FeedMessage>, onCaughtUp: () => void): AsyncGenerator<FeedMessage> {
  const iterator = source[Symbol.asyncIterator]();
  const pull = () => {
    const next = iterator.next();
    // Also marks the rejection handled: it surfaces where `pending` is awaited.
    next.then(
      (result) => {
        if (!result.done && result.value.kind === "caughtUp") onCaughtUp();
      },
      () => undefined,
    );
    return next;
  };
  try {
    let pending = pull();
    for (;;) {
      const result = await pending;
      if (result.done) return;
      pending = pull();
      yield result.value;
    }
  } finally {
    // Feeds end promptly once their signal aborts, so this does not wait on a live wait.
    await iterator.return?.()?.catch(() => undefined);
  }
}

export function backoffDelay(attempt: number, retry: Required<RetryOptions>): number {
  const exponential = Math.min(retry.maxDelayMs, retry.initialDelayMs * 2 ** (attempt - 1));
  // Full jitter in the upper half keeps reconnect storms apart without long unlucky waits.
  return exponential / 2 + Math.random() * (exponential / 2);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
