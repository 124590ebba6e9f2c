import type { RecordedEvent } from "../../core/event.js";
import { collect, revisionsOf, take, uniqueCategory, uniqueStream, withTimeout, type SuiteContext } from "./context.js";

const numbered = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({ type: "numbered", data: { n: from + i } }));

export function subscribeCases(ctx: SuiteContext): void {
  const { test, describe, expect } = ctx;
  const wait = ctx.waitTimeoutMs;

  describe("subscribe", () => {
    test("delivers history, signals caught-up, then live events with no gap or duplicate at the switch", ["catchUpSubscriptions"], async () => {
      const stream = uniqueStream();
      await ctx.store().append(stream, numbered(0, 30));
      const subscription = ctx.store().subscribe(stream);
      try {
        // Appends race with the catch-up: every event must still arrive exactly once, in order.
        const writer = (async () => {
          for (let i = 30; i < 60; i += 5) await ctx.store().append(stream, numbered(i, 5));
        })();
        const events = await take(subscription, 60, wait);
        await writer;
        expect(revisionsOf(events)).toEqual(Array.from({ length: 60 }, (_, i) => BigInt(i)));
        await withTimeout(subscription.caughtUp, wait, () => "caughtUp never resolved");
        expect(subscription.isCaughtUp).toBe(true);
        expect(subscription.lastEvent?.revision).toBe(59n);
      } finally {
        await subscription.close();
      }
    });

    test("caughtUp resolves on an empty or missing stream", ["catchUpSubscriptions"], async () => {
      const subscription = ctx.store().subscribe(uniqueStream());
      const iterator = subscription[Symbol.asyncIterator]();
      const pending = iterator.next();
      await withTimeout(subscription.caughtUp, wait, () => "caughtUp never resolved");
      await subscription.close();
      expect((await withTimeout(pending, wait, () => "close did not end the iterator")).done).toBe(true);
    });

    test("from is exclusive: a stored revision resumes right after it", ["catchUpSubscriptions"], async () => {
      const stream = uniqueStream();
      await ctx.store().append(stream, numbered(0, 10));
      const first = ctx.store().subscribe(stream);
      const seen = await take(first, 4, wait);
      await first.close();
      const checkpoint = first.lastEvent!.revision;
      expect(checkpoint).toBe(3n);
      const resumed = ctx.store().subscribe(stream, { from: checkpoint });
      try {
        const rest = await take(resumed, 6, wait);
        expect(revisionsOf([...seen, ...rest])).toEqual(Array.from({ length: 10 }, (_, i) => BigInt(i)));
      } finally {
        await resumed.close();
      }
    });

    test('"end" delivers only events appended after the subscription started', ["catchUpSubscriptions"], async () => {
      const stream = uniqueStream();
      await ctx.store().append(stream, numbered(0, 3));
      const subscription = ctx.store().subscribe(stream, { from: "end" });
      try {
        const events = take(subscription, 2, wait);
        await withTimeout(subscription.caughtUp, wait, () => "caughtUp never resolved");
        await ctx.store().append(stream, numbered(3, 2));
        expect(revisionsOf(await events)).toEqual([3n, 4n]);
      } finally {
        await subscription.close();
      }
    });

    test("a revision not written yet is waited for, not an error", ["catchUpSubscriptions"], async () => {
      const stream = uniqueStream();
      await ctx.store().append(stream, numbered(0, 2));
      const subscription = ctx.store().subscribe(stream, { from: 4n });
      try {
        const events = take(subscription, 1, wait);
        await ctx.store().append(stream, numbered(2, 4));
        expect(revisionsOf(await events)).toEqual([5n]);
      } finally {
        await subscription.close();
      }
    });

    test("close() ends a waiting iterator and breaking out of for-await closes", ["catchUpSubscriptions"], async () => {
      const stream = uniqueStream();
      await ctx.store().append(stream, numbered(0, 3));
      const subscription = ctx.store().subscribe(stream);
      const seen: RecordedEvent[] = [];
      await withTimeout(
        (async () => {
          for await (const event of subscription) {
            seen.push(event);
            if (seen.length === 2) break;
          }
        })(),
        wait,
        () => "for-await did not finish",
      );
      expect(seen.length).toBe(2);
      const other = ctx.store().subscribe(stream);
      const drained = collect(other);
      await withTimeout(other.caughtUp, wait, () => "caughtUp never resolved");
      await other.close();
      expect((await withTimeout(drained, wait, () => "close did not end the iterator")).length).toBe(3);
    });

    test("many subscribers each receive every event", ["catchUpSubscriptions"], async () => {
      const stream = uniqueStream();
      await ctx.store().append(stream, numbered(0, 5));
      const subscriptions = Array.from({ length: 5 }, () => ctx.store().subscribe(stream));
      try {
        const results = subscriptions.map((s) => take(s, 10, wait));
        await ctx.store().append(stream, numbered(5, 5));
        for (const events of await Promise.all(results)) {
          expect(revisionsOf(events)).toEqual(Array.from({ length: 10 }, (_, i) => BigInt(i)));
        }
      } finally {
        await Promise.all(subscriptions.map((s) => s.close()));
      }
    });

    test("$all with a stream-prefix filter delivers history then live, resumable from a position", ["catchUpSubscriptions", "globalOrder"], async () => {
      const category = uniqueCategory();
      const prefix = `${category}-`;
      await ctx.store().append(`${category}-a`, numbered(0, 2));
      await ctx.store().append(`${category}-b`, numbered(2, 2));
      const subscription = ctx.store().subscribe({ all: true, filter: { streamPrefixes: [prefix] } });
      let checkpoint: string;
      try {
        const history = take(subscription, 5, wait);
        await withTimeout(subscription.caughtUp, wait, () => "caughtUp never resolved");
        await ctx.store().append(`${category}-a`, numbered(4, 1));
        const events = await history;
        expect(events.map((e) => (e.data as { n: number }).n)).toEqual([0, 1, 2, 3, 4]);
        checkpoint = events[2]!.position.toString();
      } finally {
        await subscription.close();
      }
      const resumed = ctx.store().subscribe({ all: true, filter: { streamPrefixes: [prefix] } }, { from: checkpoint });
      try {
        const rest = await take(resumed, 2, wait);
        expect(rest.map((e) => (e.data as { n: number }).n)).toEqual([3, 4]);
      } finally {
        await resumed.close();
      }
    });

    test("a category subscription follows every stream of the category and nothing else", ["catchUpSubscriptions", "categorySubscriptions"], async () => {
      const category = uniqueCategory();
      const other = uniqueCategory();
      await ctx.store().append(`${category}-1`, numbered(0, 1));
      await ctx.store().append(`${other}-1`, numbered(100, 1));
      const subscription = ctx.store().subscribe({ category });
      try {
        const events = take(subscription, 3, wait);
        await ctx.store().append(`${category}-2`, numbered(1, 1));
        await ctx.store().append(`${other}-2`, numbered(101, 1));
        await ctx.store().append(`${category}-1`, numbered(2, 1));
        const got = await events;
        expect(got.map((e) => e.streamId)).toEqual([`${category}-1`, `${category}-2`, `${category}-1`]);
        expect(got.map((e) => (e.data as { n: number }).n)).toEqual([0, 1, 2]);
      } finally {
        await subscription.close();
      }
    });
  });
}
