import { randomUUID } from "node:crypto";
import { collect, uniqueStream, type SuiteContext } from "./context.js";

export function idempotencyCases(ctx: SuiteContext): void {
  const { test, describe, expect } = ctx;
  const batch = () => [
    { id: randomUUID(), type: "a", data: { n: 1 } },
    { id: randomUUID(), type: "b", data: { n: 2 } },
  ];

  describe("idempotent event ids", () => {
    test("re-appending the same ids at the same expected revision succeeds without duplicates", ["idempotentIds", "expectedRevision"], async () => {
      const stream = uniqueStream();
      await ctx.store().append(stream, [{ type: "first", data: {} }]);
      const events = batch();
      const once = await ctx.store().append(stream, events, { expectedRevision: 0n });
      const twice = await ctx.store().append(stream, events, { expectedRevision: 0n });
      expect(twice.nextExpectedRevision).toBe(once.nextExpectedRevision);
      const stored = await collect(ctx.store().read(stream));
      expect(stored.map((e) => e.id)).toEqual([stored[0]!.id, events[0]!.id, events[1]!.id]);
    });

    test('re-appending the same ids with "any" stores them once', ["idempotentIds"], async () => {
      const stream = uniqueStream();
      const events = batch();
      await ctx.store().append(stream, events);
      const again = await ctx.store().append(stream, events);
      expect(again.nextExpectedRevision).toBe(1n);
      expect((await collect(ctx.store().read(stream))).length).toBe(2);
    });

    test('a retried "no_stream" append of the same ids succeeds once written', ["idempotentIds", "expectedRevision"], async () => {
      const stream = uniqueStream();
      const events = batch();
      await ctx.store().append(stream, events, { expectedRevision: "no_stream" });
      const retry = await ctx.store().append(stream, events, { expectedRevision: "no_stream" });
      expect(retry.nextExpectedRevision).toBe(1n);
      expect((await collect(ctx.store().read(stream))).map((e) => e.id)).toEqual(events.map((e) => e.id));
    });

    test("new ids are new events even with identical data", [], async () => {
      const stream = uniqueStream();
      await ctx.store().append(stream, [{ type: "a", data: { same: true } }]);
      await ctx.store().append(stream, [{ type: "a", data: { same: true } }]);
      const stored = await collect(ctx.store().read(stream));
      expect(stored.length).toBe(2);
      expect(stored[0]!.id).not.toBe(stored[1]!.id);
    });
  });
}
