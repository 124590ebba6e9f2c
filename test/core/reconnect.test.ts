import { describe, expect, it, vi } from "vitest";
import {
  ConnectionError,
  createSubscription,
  isConnectionError,
  isSwitchyardError,
  type Feed,
  type FeedMessage,
  type LogRecord,
  type ReconnectInfo,
} from "../../src/index.js";
import { recordedEvent } from "./recorded-event.js";

const event = recordedEvent;

/** Fails its first `failures` opens with `fail(n)`, then delivers one event, catches up and waits. */
function flakyFeed(failures: number, fail: (open: number) => Error | "end"): { feed: Feed; opens: () => number } {
  let opens = 0;
  const feed: Feed = async function* (_start, signal): AsyncGenerator<FeedMessage> {
    opens++;
    if (opens <= failures) {
      const outcome = fail(opens);
      if (outcome === "end") return;
      throw outcome;
    }
    yield { kind: "event", event: event(0) };
    yield { kind: "caughtUp" };
    // As every feed must: an abort listener added to an aborted signal would never run.
    if (!signal.aborted) await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
  };
  return { feed, opens: () => opens };
}

const retry = { initialDelayMs: 8, maxDelayMs: 16 };

describe("subscription reconnects are observable", () => {
  it("onReconnect gets each attempt with its typed error and the wait, and reconnecting shows it", async () => {
    const errors = [new ConnectionError("refused 1"), new ConnectionError("refused 2"), new ConnectionError("refused 3")];
    const { feed } = flakyFeed(3, (n) => errors[n - 1]!);
    const seen: ReconnectInfo[] = [];
    // What the subscription says while each (re)open is under way.
    const atOpen: (ReconnectInfo | undefined)[] = [];
    const observed: Feed = (start, signal) => {
      atOpen.push(subscription.reconnecting);
      return feed(start, signal);
    };
    const subscription = createSubscription({
      orderBy: "stream",
      from: "start",
      feed: observed,
      retry,
      onReconnect: (info) => seen.push(info),
    });
    const iterator = subscription[Symbol.asyncIterator]();
    expect((await iterator.next()).value?.revision).toBe(0n);
    const pending = iterator.next(); // the caught-up marker comes after the event
    await subscription.caughtUp;
    expect(seen.map((i) => i.attempt)).toEqual([1, 2, 3]);
    expect(seen.map((i) => i.error)).toEqual(errors);
    // Jittered in the upper half of initialDelayMs * 2^(attempt-1), capped at maxDelayMs.
    expect(seen.map((i) => i.delayMs >= [4, 8, 8][i.attempt - 1]! && i.delayMs <= [8, 16, 16][i.attempt - 1]!)).toEqual([true, true, true]);
    expect(atOpen).toEqual([undefined, ...seen]);
    expect(subscription.reconnecting).toBeUndefined(); // delivering again
    await subscription.close();
    expect((await pending).done).toBe(true);
  });

  it("a feed that keeps ending on its own is reported and, after maxAttempts, ends the iterator with a typed ConnectionError", async () => {
    const { feed, opens } = flakyFeed(Infinity, () => "end");
    const seen: ReconnectInfo[] = [];
    const subscription = createSubscription({
      orderBy: "stream",
      from: "start",
      feed,
      retry: { ...retry, maxAttempts: 2 },
      onReconnect: (info) => seen.push(info),
    });
    let ended: unknown;
    try {
      for await (const e of subscription) void e;
    } catch (error) {
      ended = error;
    }
    expect(isSwitchyardError(ended) && isConnectionError(ended)).toBe(true);
    expect(seen.map((i) => [i.attempt, isConnectionError(i.error)])).toEqual([
      [1, true],
      [2, true],
    ]);
    expect(opens()).toBe(3);
    await expect(subscription.caughtUp).rejects.toBe(ended);
    expect(subscription.reconnecting).toBeUndefined();
  });

  it("every reconnect and a throwing onReconnect reach the logger (with stable codes) and the subscription carries on", async () => {
    const { feed } = flakyFeed(2, () => new ConnectionError("down"));
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    const records: LogRecord[] = [];
    try {
      const subscription = createSubscription({
        orderBy: "stream",
        from: "start",
        feed,
        retry,
        logger: { log: (record) => records.push(record) },
        onReconnect: () => {
          throw new Error("callback is broken");
        },
      });
      const iterator = subscription[Symbol.asyncIterator]();
      expect((await iterator.next()).value?.revision).toBe(0n);
      await subscription.close();
      expect(records.map((r) => [r.level, r.code, r.attributes?.attempt])).toEqual([
        ["warn", "SUBSCRIPTION_RECONNECTING", 1],
        ["warn", "SUBSCRIPTION_CALLBACK_FAILED", undefined],
        ["warn", "SUBSCRIPTION_RECONNECTING", 2],
        ["warn", "SUBSCRIPTION_CALLBACK_FAILED", undefined],
      ]);
      expect(records[1]!.message).toBe("A subscription's onReconnect callback threw: callback is broken");
      expect(isConnectionError(records[0]!.error)).toBe(true);
      // The logger replaces process warnings: nothing is emitted behind the user's back.
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it("a logger that throws does not break the subscription", async () => {
    const { feed } = flakyFeed(1, () => new ConnectionError("down"));
    const subscription = createSubscription({
      orderBy: "stream",
      from: "start",
      feed,
      retry,
      logger: {
        log: () => {
          throw new Error("logger is broken");
        },
      },
    });
    const iterator = subscription[Symbol.asyncIterator]();
    expect((await iterator.next()).value?.revision).toBe(0n);
    await subscription.close();
  });

  it("refuses an onReconnect that is not a function", () => {
    const { feed } = flakyFeed(0, () => "end");
    expect(() =>
      createSubscription({ orderBy: "stream", from: "start", feed, onReconnect: "log" as unknown as () => void }),
    ).toThrow(expect.objectContaining({ code: "VALIDATION", field: "onReconnect" }));
  });
});
