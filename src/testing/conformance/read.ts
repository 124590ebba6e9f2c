import type { EventStream } from "../../core/event-stream.js";
import { collect, expectCode, revisionsOf, uniqueStream, type SuiteContext } from "./context.js";

async function streamOf(store: EventStream, count: number): Promise<string> {
  const stream = uniqueStream();
  const events = Array.from({ length: count }, (_, n) => ({ type: "counted", data: { n } }));
  for (let i = 0; i < events.length; i += 100) await store.append(stream, events.slice(i, i + 100));
  return stream;
}

export function readCases(ctx: SuiteContext): void {
  const { test, describe, expect } = ctx;
  describe("read a stream", () => {
    test("reads forwards in revision order", [], async () => {
      const stream = await streamOf(ctx.store(), 5);
      const events = await collect(ctx.store().read(stream));
      expect(revisionsOf(events)).toEqual([0n, 1n, 2n, 3n, 4n]);
      expect(events.map((e) => (e.data as { n: number }).n)).toEqual([0, 1, 2, 3, 4]);
    });

    test("reads backwards from the end", ["readBackward"], async () => {
      const stream = await streamOf(ctx.store(), 5);
      const events = await collect(ctx.store().read(stream, { direction: "backwards" }));
      expect(revisionsOf(events)).toEqual([4n, 3n, 2n, 1n, 0n]);
    });

    test("from is inclusive, forwards", [], async () => {
      const stream = await streamOf(ctx.store(), 5);
      expect(revisionsOf(await collect(ctx.store().read(stream, { from: 2n })))).toEqual([2n, 3n, 4n]);
    });

    test("from is inclusive, backwards", ["readBackward"], async () => {
      const stream = await streamOf(ctx.store(), 5);
      const events = await collect(ctx.store().read(stream, { from: 2n, direction: "backwards" }));
      expect(revisionsOf(events)).toEqual([2n, 1n, 0n]);
    });

    test("maxCount bounds a read", [], async () => {
      const stream = await streamOf(ctx.store(), 5);
      expect(revisionsOf(await collect(ctx.store().read(stream, { maxCount: 2 })))).toEqual([0n, 1n]);
      expect(revisionsOf(await collect(ctx.store().read(stream, { from: 3n, maxCount: 10n })))).toEqual([3n, 4n]);
    });

    test("the last event: backwards from the end with maxCount 1", ["readBackward"], async () => {
      const stream = await streamOf(ctx.store(), 7);
      const events = await collect(ctx.store().read(stream, { direction: "backwards", from: "end", maxCount: 1 }));
      expect(revisionsOf(events)).toEqual([6n]);
    });

    test("reading past the end yields nothing", [], async () => {
      const stream = await streamOf(ctx.store(), 3);
      expect(await collect(ctx.store().read(stream, { from: 3n }))).toEqual([]);
      expect(await collect(ctx.store().read(stream, { from: 100n }))).toEqual([]);
    });

    test("a stream that was never written is not found", [], async () => {
      await expectCode(collect(ctx.store().read(uniqueStream())), "STREAM_NOT_FOUND");
    });

    test("a longer stream reads whole and in order", [], async () => {
      const stream = await streamOf(ctx.store(), 250);
      const events = await collect(ctx.store().read(stream));
      expect(events.length).toBe(250);
      expect(events.every((e, i) => e.revision === BigInt(i))).toBe(true);
    });

    test("what a read returns is a copy: changing it changes neither the store nor the next read", [], async () => {
      const stream = uniqueStream();
      await ctx.store().append(stream, [
        { type: "tagged", data: { tags: ["a"] }, metadata: { tenant: "t1", route: { hops: ["x"] } } },
        { type: "tagged", data: { tags: ["b"] } },
      ]);
      const [first, second] = await collect(ctx.store().read(stream));
      (first!.data as { tags: string[] }).tags.push("changed");
      (first!.metadata as { tenant: string }).tenant = "changed";
      (first!.metadata as { route: { hops: string[] } }).route.hops.push("changed");
      (second!.metadata as Record<string, unknown>).added = true;
      const again = await collect(ctx.store().read(stream));
      expect(again[0]!.data).toEqual({ tags: ["a"] });
      expect(again[0]!.metadata).toEqual({ tenant: "t1", route: { hops: ["x"] } });
      expect(again[1]!.metadata).toEqual({});
      expect(again[0]!.position?.equals(first!.position!) ?? first!.position === undefined).toBe(true);
    });

    test("streams do not see each other's events", [], async () => {
      const a = await streamOf(ctx.store(), 2);
      const b = await streamOf(ctx.store(), 3);
      expect((await collect(ctx.store().read(a))).every((e) => e.streamId === a)).toBe(true);
      expect((await collect(ctx.store().read(b))).length).toBe(3);
    });
  });
}
