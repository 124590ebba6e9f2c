import type { CodecRegistry } from "../../core/codec.js";
import { StreamDeletedError } from "../../core/errors.js";
import type { SubscribeOptions, Subscription, SubscriptionTarget } from "../../core/event-stream.js";
import { createSubscription, type Feed, type FeedMessage, type FeedStart } from "../../core/subscription.js";
import { resolveStart, resolveTarget, type ResolvedTarget } from "../../core/subscription-target.js";
import type { Position } from "../../core/position.js";
import { compileFilter, positionIndex } from "./memory-read-all.js";
import { MEMORY_BACKEND, toRecordedEvent, type MemoryLog, type StoredEvent } from "./memory-log.js";

export function subscribeInMemory(
  log: MemoryLog,
  codecs: CodecRegistry,
  target: SubscriptionTarget,
  options: SubscribeOptions,
  closing: AbortSignal,
  assertOpen: () => void,
): Subscription {
  assertOpen();
  const resolved = resolveTarget(target);
  const from = resolveStart(resolved, options.from, MEMORY_BACKEND, 1);
  const signal = options.signal ? AbortSignal.any([options.signal, closing]) : closing;
  const feed: Feed = resolved.kind === "stream" ? streamFeed(log, codecs, resolved.stream) : globalFeed(log, codecs, resolved);
  return createSubscription({
    orderBy: resolved.kind === "stream" ? "stream" : "global",
    from,
    feed,
    signal,
    retry: options.retry,
    onReconnect: options.onReconnect,
  });
}

/**
 * A feed over the log: `drain()` yields what was stored since its last call (advancing its own
 * cursor); between drains the feed sleeps until the log changes.
 */
function followLog(log: MemoryLog, codecs: CodecRegistry, open: (start: FeedStart) => () => Iterable<StoredEvent>): Feed {
  return async function* (start: FeedStart, signal: AbortSignal): AsyncGenerator<FeedMessage> {
    const drain = open(start);
    let caughtUp = false;
    while (!signal.aborted) {
      const changed = log.nextChange(signal);
      for (const stored of drain()) {
        yield { kind: "event", event: toRecordedEvent(stored, codecs) };
        if (signal.aborted) return;
      }
      if (!caughtUp) {
        caughtUp = true;
        yield { kind: "caughtUp" };
        continue;
      }
      await changed;
    }
  };
}

function streamFeed(log: MemoryLog, codecs: CodecRegistry, stream: string): Feed {
  return followLog(log, codecs, (start) => {
    let next: bigint | undefined = typeof start === "bigint" ? start + 1n : start === "start" ? 0n : undefined;
    return function* () {
      const state = log.stream(stream);
      if (state?.tombstoned) throw new StreamDeletedError(stream);
      const length = BigInt(state?.events.length ?? 0);
      next ??= length; // "end": only what is appended from now on
      const now = Date.now();
      for (; state && next < length; next++) {
        const stored = state.events[Number(next)]!;
        if (log.isVisible(state, stored, now)) yield stored;
      }
    };
  });
}

function globalFeed(log: MemoryLog, codecs: CodecRegistry, target: Exclude<ResolvedTarget, { kind: "stream" }>): Feed {
  const matches: (stored: StoredEvent) => boolean =
    target.kind === "category" ? (stored) => stored.streamId.startsWith(target.prefix) : compileFilter(target.filter);
  return followLog(log, codecs, (start) => {
    let next: number | undefined = start === "start" ? 0 : start === "end" ? undefined : positionIndex(start as Position) + 1;
    return function* () {
      next ??= log.all.length;
      for (; next < log.all.length; next++) {
        const stored = log.all[next]!;
        if (matches(stored)) yield stored;
      }
    };
  });
}
