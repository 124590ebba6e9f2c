import type { CodecRegistry } from "../../core/codec.js";
import { StreamDeletedError } from "../../core/errors.js";
import type { Feed, FeedMessage, FeedStart } from "../../core/subscription.js";
import type { ResolvedTarget } from "../../core/subscription-target.js";
import { compileFilter, positionIndex } from "./memory-read-all.js";
import { toRecordedEvent, type MemoryLog, type StoredEvent } from "./memory-log.js";

/** The events of a subscription target, as core's subscription consumes them. */
export function memoryFeed(log: MemoryLog, codecs: CodecRegistry, target: ResolvedTarget): Feed {
  return target.kind === "stream" ? streamFeed(log, codecs, target.stream) : globalFeed(log, codecs, target);
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
    let next: number | undefined =
      start === "start" ? 0 : start === "end" || typeof start === "bigint" ? undefined : positionIndex(start) + 1;
    return function* () {
      next ??= log.all.length;
      for (; next < log.all.length; next++) {
        const stored = log.all[next]!;
        if (matches(stored)) yield stored;
      }
    };
  });
}
