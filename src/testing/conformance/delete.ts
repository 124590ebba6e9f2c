import { collect, expectCode, revisionsOf, uniqueStream, type SuiteContext } from "./context.js";

export function deleteCases(ctx: SuiteContext): void {
  const { test, describe, expect } = ctx;
  const events = (n: number) => Array.from({ length: n }, (_, i) => ({ type: "e", data: { i } }));

  describe("delete and tombstone", () => {
    test("a soft-deleted stream reads as not found", ["delete"], async () => {
      const stream = uniqueStream();
      await ctx.store().append(stream, events(3));
      await ctx.store().delete(stream);
      await expectCode(collect(ctx.store().read(stream)), "STREAM_NOT_FOUND");
    });

    test("a soft-deleted stream can be recreated and its revisions continue", ["delete"], async () => {
      const stream = uniqueStream();
      await ctx.store().append(stream, events(3));
      await ctx.store().delete(stream);
      const result = await ctx.store().append(stream, events(2));
      expect(result.nextExpectedRevision).toBe(4n);
      expect(revisionsOf(await collect(ctx.store().read(stream)))).toEqual([3n, 4n]);
    });

    test("delete with a wrong expected revision conflicts and keeps the stream", ["delete", "expectedRevision"], async () => {
      const stream = uniqueStream();
      await ctx.store().append(stream, events(2));
      await expectCode(ctx.store().delete(stream, { expectedRevision: 0n }), "WRONG_EXPECTED_REVISION");
      expect((await collect(ctx.store().read(stream))).length).toBe(2);
      await ctx.store().delete(stream, { expectedRevision: 1n });
      await expectCode(collect(ctx.store().read(stream)), "STREAM_NOT_FOUND");
    });

    test("a tombstoned stream refuses reads and appends for good", ["tombstone"], async () => {
      const stream = uniqueStream();
      await ctx.store().append(stream, events(2));
      await ctx.store().tombstone(stream);
      await expectCode(collect(ctx.store().read(stream)), "STREAM_DELETED");
      await expectCode(ctx.store().append(stream, events(1)), "STREAM_DELETED");
      await expectCode(ctx.store().append(stream, events(1), { expectedRevision: "no_stream" }), "STREAM_DELETED");
      await expectCode(ctx.store().tombstone(stream), "STREAM_DELETED");
    });

    test("deleting one stream leaves its neighbours alone", ["delete"], async () => {
      const doomed = uniqueStream();
      const kept = uniqueStream();
      await ctx.store().append(doomed, events(1));
      await ctx.store().append(kept, events(2));
      await ctx.store().delete(doomed);
      expect((await collect(ctx.store().read(kept))).length).toBe(2);
    });

    test("operations a backend lacks fail with UnsupportedOperationError naming the capability", [], async () => {
      const stream = uniqueStream();
      await ctx.store().append(stream, events(1));
      if (!ctx.caps.tombstone) {
        const error = await expectCode(ctx.store().tombstone(stream), "UNSUPPORTED_OPERATION");
        expect((error as { capability?: string }).capability).toBe("tombstone");
      }
      if (!ctx.caps.delete) {
        const error = await expectCode(ctx.store().delete(stream), "UNSUPPORTED_OPERATION");
        expect((error as { capability?: string }).capability).toBe("delete");
      }
      if (!ctx.caps.expectedRevision) {
        const error = await expectCode(ctx.store().append(stream, events(1), { expectedRevision: 0n }), "UNSUPPORTED_OPERATION");
        expect((error as { capability?: string }).capability).toBe("expectedRevision");
      }
      if (ctx.caps.tombstone && ctx.caps.delete && ctx.caps.expectedRevision) {
        // Nothing is missing: the stream is still readable as written.
        expect((await collect(ctx.store().read(stream))).length).toBe(1);
      }
    });
  });
}
