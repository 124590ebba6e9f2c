import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import {
  ConnectionError,
  ValidationError,
  createSubscription,
  type Feed,
  type FeedMessage,
  type FeedStart,
  type RecordedEvent,
} from "../../src/index.js";
import { recordedEvent } from "./recorded-event.js";

const event = recordedEvent;

/** A feed over a fixed history that fails in scripted ways, recording where each open started. */
function scriptedFeed(total: number, script: Array<{ failAfter: number; error: Error; replay?: number }>) {
  const starts: FeedStart[] = [];
  const feed: Feed = async function* (start: FeedStart, signal: AbortSignal): AsyncGenerator<FeedMessage> {
    starts.push(start);
    const step = script.shift();
    let from = start === "start" ? 0 : Number(start as bigint) + 1;
    if (step?.replay) from -= step.replay; // a server that re-sends a few events: at-least-once
    let sent = 0;
    for (let r = Math.max(0, from); r < total; r++) {
      if (step && sent === step.failAfter) throw step.error;
      yield { kind: "event", event: event(r) };
      sent++;
    }
    yield { kind: "caughtUp" };
    // As every feed must: an abort listener added to an aborted signal would never run.
    if (!signal.aborted) await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
  };
  return { feed, starts };
}

async function take(iterable: AsyncIterable<RecordedEvent>, n: number) {
  const got: number[] = [];
  for await (const e of iterable) {
    got.push(Number(e.revision));
    if (got.length === n) break;
  }
  return got;
}

describe("createSubscription", () => {
  it("reconnects after a dropped connection from the last delivered event, without duplicates", async () => {
    const drop = () => new ConnectionError("connection reset");
    const { feed, starts } = scriptedFeed(10, [
      { failAfter: 3, error: drop() },
      { failAfter: 2, error: drop(), replay: 2 },
    ]);
    const reconnects: number[] = [];
    const subscription = createSubscription({
      orderBy: "stream",
      from: "start",
      feed,
      retry: { initialDelayMs: 1, maxDelayMs: 2 },
      onReconnect: ({ attempt }) => reconnects.push(attempt),
    });
    expect(await take(subscription, 10)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // The second feed re-sent 1 and 2 (dropped as duplicates) and delivered none new before failing.
    expect(starts).toEqual(["start", 2n, 2n]);
    expect(reconnects).toEqual([1, 2]); // no progress between the two drops: the backoff grows
    await subscription.close();
  });

  it("ends with the error when it is not a connection problem, rejecting caughtUp", async () => {
    const { feed } = scriptedFeed(5, [{ failAfter: 1, error: new ValidationError("bad stream", "stream") }]);
    const subscription = createSubscription({ orderBy: "stream", from: "start", feed });
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const e of subscription) seen.push(Number(e.revision));
      })(),
    ).rejects.toMatchObject({ code: "VALIDATION" });
    expect(seen).toEqual([0]);
    await expect(subscription.caughtUp).rejects.toMatchObject({ code: "VALIDATION" });
  });

  it("gives up after maxAttempts consecutive failed reconnects", async () => {
    const always = Array.from({ length: 10 }, () => ({ failAfter: 0, error: new ConnectionError("down") }));
    const { feed, starts } = scriptedFeed(5, always);
    const subscription = createSubscription({
      orderBy: "stream",
      from: "start",
      feed,
      retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 1 },
    });
    await expect(take(subscription, 1)).rejects.toMatchObject({ code: "CONNECTION" });
    expect(starts.length).toBe(4);
  });

  it("resolves caughtUp after history and ends the iterator on abort of its signal", async () => {
    const { feed } = scriptedFeed(3, []);
    const abort = new AbortController();
    const subscription = createSubscription({ orderBy: "stream", from: 0n, feed, signal: abort.signal });
    const drained = (async () => {
      const got: number[] = [];
      for await (const e of subscription) got.push(Number(e.revision));
      return got;
    })();
    await subscription.caughtUp;
    expect(subscription.isCaughtUp).toBe(true);
    abort.abort();
    expect(await drained).toEqual([1, 2]);
  });

  it("resolves caughtUp once the last history event is handed over, without a further pull", async () => {
    // A consumer that takes exactly the history and then waits for caughtUp must not wait forever
    // (PostgreSQL's conformance run met this when the writer finished before the catch-up read).
    const { feed } = scriptedFeed(3, []);
    const subscription = createSubscription({ orderBy: "stream", from: "start", feed });
    const iterator = subscription[Symbol.asyncIterator]();
    for (let i = 0; i < 3; i++) await iterator.next();
    const outcome = await Promise.race([
      subscription.caughtUp.then(() => "caught up"),
      new Promise((resolve) => setTimeout(() => resolve("still waiting"), 1_000)),
    ]);
    expect(outcome).toBe("caught up");
    await subscription.close();
  });

  it("detaches from a shared signal when closed, so many subscriptions do not leak listeners", async () => {
    const shared = new AbortController();
    for (let i = 0; i < 20; i++) {
      const { feed } = scriptedFeed(2, []);
      const subscription = createSubscription({ orderBy: "stream", from: "start", feed, signal: shared.signal });
      expect(await take(subscription, 2)).toEqual([0, 1]);
      await subscription.close();
    }
    expect(getEventListeners(shared.signal, "abort")).toHaveLength(0);
  });

  it("can be iterated only once", () => {
    const { feed } = scriptedFeed(1, []);
    const subscription = createSubscription({ orderBy: "stream", from: "start", feed });
    subscription[Symbol.asyncIterator]();
    expect(() => subscription[Symbol.asyncIterator]()).toThrow(/only once/);
  });
});
