import { collect, revisionsOf, uniqueStream, type SuiteContext } from "./context.js";

export function metadataCases(ctx: SuiteContext): void {
  const { test, describe, expect } = ctx;
  const events = (n: number) => Array.from({ length: n }, (_, i) => ({ type: "e", data: { i } }));

  describe("stream metadata", () => {
    test("maxCount keeps only the newest events visible", ["streamMetadata"], async () => {
      const stream = uniqueStream();
      await ctx.store().append(stream, events(5));
      await ctx.store().setStreamMetadata(stream, { maxCount: 2 });
      expect(revisionsOf(await collect(ctx.store().read(stream)))).toEqual([3n, 4n]);
      expect((await ctx.store().getStreamMetadata(stream)).maxCount).toBe(2);
    });

    test("truncateBefore hides earlier revisions", ["streamMetadata"], async () => {
      const stream = uniqueStream();
      await ctx.store().append(stream, events(5));
      await ctx.store().setStreamMetadata(stream, { truncateBefore: 3n });
      expect(revisionsOf(await collect(ctx.store().read(stream)))).toEqual([3n, 4n]);
      const more = await ctx.store().append(stream, events(1));
      expect(more.nextExpectedRevision).toBe(5n);
    });

    test("metadata round-trips", ["streamMetadata"], async () => {
      const stream = uniqueStream();
      await ctx.store().append(stream, events(1));
      await ctx.store().setStreamMetadata(stream, { maxCount: 10, maxAgeSeconds: 3600 });
      const metadata = await ctx.store().getStreamMetadata(stream);
      expect(metadata.maxCount).toBe(10);
      expect(metadata.maxAgeSeconds).toBe(3600);
    });
  });
}
