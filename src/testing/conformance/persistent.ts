import type { PersistentDelivery, PersistentSubscription } from "../../core/event-stream.js";
import { uniqueStream, withTimeout, type SuiteContext } from "./context.js";

async function takeDeliveries(subscription: PersistentSubscription, count: number, timeoutMs: number) {
  const iterator = subscription[Symbol.asyncIterator]();
  const got: PersistentDelivery[] = [];
  return withTimeout(
    (async () => {
      while (got.length < count) {
        const next = await iterator.next();
        if (next.done) break;
        got.push(next.value);
      }
      return got;
    })(),
    timeoutMs,
    () => `expected ${count} deliveries, got ${got.length}`,
  );
}

export function persistentCases(ctx: SuiteContext): void {
  const { test, describe, expect } = ctx;
  const wait = ctx.waitTimeoutMs;
  const events = (n: number) => Array.from({ length: n }, (_, i) => ({ type: "job", data: { i } }));

  describe("persistent subscriptions", () => {
    test("a group delivers every event and acknowledged events are not redelivered", ["persistentSubscriptions"], async () => {
      const stream = uniqueStream();
      await ctx.store().append(stream, events(3));
      const target = { stream };
      await ctx.store().persistentSubscriptions.create(target, "workers", { startFrom: "start" });
      const first = ctx.store().persistentSubscriptions.connect(target, "workers");
      const deliveries = await takeDeliveries(first, 3, wait);
      expect(deliveries.map((d) => (d.event.data as { i: number }).i)).toEqual([0, 1, 2]);
      for (const d of deliveries) await d.ack();
      await first.close();
      await ctx.store().append(stream, events(1));
      const second = ctx.store().persistentSubscriptions.connect(target, "workers");
      try {
        const [next] = await takeDeliveries(second, 1, wait);
        expect(next!.event.revision).toBe(3n);
        expect(next!.retryCount).toBe(0);
        await next!.ack();
      } finally {
        await second.close();
        await ctx.store().persistentSubscriptions.delete(target, "workers");
      }
    });

    test("competing consumers share the events of a group", ["persistentSubscriptions"], async () => {
      const stream = uniqueStream();
      await ctx.store().append(stream, events(10));
      const target = { stream };
      await ctx.store().persistentSubscriptions.create(target, "pool", { startFrom: "start" });
      const a = ctx.store().persistentSubscriptions.connect(target, "pool", { bufferSize: 5 });
      const b = ctx.store().persistentSubscriptions.connect(target, "pool", { bufferSize: 5 });
      try {
        const [fromA, fromB] = await Promise.all([takeDeliveries(a, 5, wait), takeDeliveries(b, 5, wait)]);
        const seen = [...fromA, ...fromB].map((d) => d.event.revision).sort((x, y) => (x < y ? -1 : 1));
        expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => BigInt(i)));
        await Promise.all([...fromA, ...fromB].map((d) => d.ack()));
      } finally {
        await Promise.all([a.close(), b.close()]);
        await ctx.store().persistentSubscriptions.delete(target, "pool");
      }
    });

    test("nack retry redelivers; park and skip do not", ["persistentSubscriptions"], async () => {
      const stream = uniqueStream();
      await ctx.store().append(stream, events(3));
      const target = { stream };
      await ctx.store().persistentSubscriptions.create(target, "nackers", { startFrom: "start" });
      const consumer = ctx.store().persistentSubscriptions.connect(target, "nackers");
      try {
        const [e0, e1, e2] = await takeDeliveries(consumer, 3, wait);
        await e0!.nack("retry", "try again");
        await e1!.nack("park", "poison");
        await e2!.nack("skip", "irrelevant");
        const [again] = await takeDeliveries(consumer, 1, wait);
        expect(again!.event.revision).toBe(0n);
        expect(again!.retryCount).toBe(1);
        await again!.ack();
        await ctx.store().append(stream, events(1));
        const [next] = await takeDeliveries(consumer, 1, wait);
        expect(next!.event.revision).toBe(3n);
        await next!.ack();
      } finally {
        await consumer.close();
        await ctx.store().persistentSubscriptions.delete(target, "nackers");
      }
    });
  });
}
