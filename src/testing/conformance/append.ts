import { randomUUID } from "node:crypto";
import type { WrongExpectedRevisionError } from "../../core/errors.js";
import { collect, expectCode, uniqueStream, type SuiteContext } from "./context.js";

export function appendCases(ctx: SuiteContext): void {
  const { test, describe, expect } = ctx;
  describe("append and expected revision", () => {
    test("the first event of a stream is revision 0 and a batch ends at its last revision", [], async () => {
      const stream = uniqueStream();
      const first = await ctx.store().append(stream, [{ type: "created", data: { n: 0 } }]);
      expect(first.nextExpectedRevision).toBe(0n);
      const next = await ctx.store().append(stream, [
        { type: "changed", data: { n: 1 } },
        { type: "changed", data: { n: 2 } },
      ]);
      expect(next.nextExpectedRevision).toBe(2n);
    });

    test("a recorded event carries everything that was appended", [], async () => {
      const stream = uniqueStream();
      const id = randomUUID();
      const metadata = { correlationId: randomUUID(), causationId: randomUUID(), tenant: "acme" };
      await ctx.store().append(stream, [{ id, type: "player_created", data: { name: "Ada", level: 3 }, metadata, schemaVersion: 2 }]);
      const [event] = await collect(ctx.store().read(stream));
      expect(event).toBeDefined();
      expect(event!.streamId).toBe(stream);
      expect(event!.revision).toBe(0n);
      expect(event!.id).toBe(id);
      expect(event!.type).toBe("player_created");
      expect(event!.data).toEqual({ name: "Ada", level: 3 });
      expect(event!.metadata).toMatchObject(metadata);
      expect(event!.contentType).toBe("application/json");
      expect(event!.schemaVersion).toBe(2);
      expect(event!.createdAt).toBeInstanceOf(Date);
      expect(Math.abs(event!.createdAt.getTime() - Date.now())).toBeLessThan(5 * 60_000);
      expect(event!.position.backend).toBe(ctx.caps.backend);
    });

    test("data is round-tripped through JSON: a Date comes back as its ISO string", [], async () => {
      const stream = uniqueStream();
      const at = new Date("2024-05-06T07:08:09.010Z");
      await ctx.store().append(stream, [{ type: "dated", data: { at, nested: { list: [1, "two", null] }, text: "żółw 🐢" } }]);
      const [event] = await collect(ctx.store().read(stream));
      expect(event!.data).toEqual({ at: "2024-05-06T07:08:09.010Z", nested: { list: [1, "two", null] }, text: "żółw 🐢" });
    });

    test("binary and text data keep their content type", [], async () => {
      const stream = uniqueStream();
      const bytes = new Uint8Array([0, 1, 2, 250, 255]);
      await ctx.store().append(stream, [
        { type: "blob", data: bytes },
        { type: "note", data: "plain words", contentType: "text/plain" },
      ]);
      const [blob, note] = await collect(ctx.store().read(stream));
      expect(blob!.contentType).toBe("application/octet-stream");
      expect(blob!.data).toBeInstanceOf(Uint8Array);
      expect([...(blob!.data as Uint8Array)]).toEqual([0, 1, 2, 250, 255]);
      expect(note!.contentType).toBe("text/plain");
      expect(note!.data).toBe("plain words");
    });

    test('"any" appends whatever state the stream is in', [], async () => {
      const stream = uniqueStream();
      await ctx.store().append(stream, [{ type: "a", data: {} }], { expectedRevision: "any" });
      const result = await ctx.store().append(stream, [{ type: "b", data: {} }], { expectedRevision: "any" });
      expect(result.nextExpectedRevision).toBe(1n);
    });

    test('"no_stream" succeeds on a new stream and conflicts on an existing one', ["expectedRevision"], async () => {
      const stream = uniqueStream();
      await ctx.store().append(stream, [{ type: "a", data: {} }], { expectedRevision: "no_stream" });
      const error = (await expectCode(
        ctx.store().append(stream, [{ type: "b", data: {} }], { expectedRevision: "no_stream" }),
        "WRONG_EXPECTED_REVISION",
      )) as WrongExpectedRevisionError;
      expect(error.stream).toBe(stream);
      expect(error.expected).toBe("no_stream");
      expect(error.actual).toBe(0n);
    });

    test('"stream_exists" conflicts on a missing stream and succeeds on an existing one', ["expectedRevision"], async () => {
      const stream = uniqueStream();
      const error = (await expectCode(
        ctx.store().append(stream, [{ type: "a", data: {} }], { expectedRevision: "stream_exists" }),
        "WRONG_EXPECTED_REVISION",
      )) as WrongExpectedRevisionError;
      expect(error.expected).toBe("stream_exists");
      expect(error.actual).toBe("no_stream");
      await ctx.store().append(stream, [{ type: "a", data: {} }]);
      const ok = await ctx.store().append(stream, [{ type: "b", data: {} }], { expectedRevision: "stream_exists" });
      expect(ok.nextExpectedRevision).toBe(1n);
    });

    test("an exact revision succeeds when it matches and reports expected and actual when not", ["expectedRevision"], async () => {
      const stream = uniqueStream();
      await ctx.store().append(stream, [{ type: "a", data: {} }, { type: "b", data: {} }]);
      const ok = await ctx.store().append(stream, [{ type: "c", data: {} }], { expectedRevision: 1n });
      expect(ok.nextExpectedRevision).toBe(2n);
      const error = (await expectCode(
        ctx.store().append(stream, [{ type: "d", data: {} }], { expectedRevision: 1n }),
        "WRONG_EXPECTED_REVISION",
      )) as WrongExpectedRevisionError;
      expect(error.expected).toBe(1n);
      expect(error.actual).toBe(2n);
      const missing = (await expectCode(
        ctx.store().append(uniqueStream(), [{ type: "d", data: {} }], { expectedRevision: 0n }),
        "WRONG_EXPECTED_REVISION",
      )) as WrongExpectedRevisionError;
      expect(missing.actual).toBe("no_stream");
    });

    test("a conflicting append writes nothing", ["expectedRevision"], async () => {
      const stream = uniqueStream();
      await ctx.store().append(stream, [{ type: "a", data: {} }]);
      await expectCode(
        ctx.store().append(stream, [{ type: "x", data: {} }, { type: "y", data: {} }], { expectedRevision: 5n }),
        "WRONG_EXPECTED_REVISION",
      );
      const events = await collect(ctx.store().read(stream));
      expect(events.map((e) => e.type)).toEqual(["a"]);
    });

    test("append results carry increasing global positions", ["globalOrder"], async () => {
      const stream = uniqueStream();
      const a = await ctx.store().append(stream, [{ type: "a", data: {} }]);
      const b = await ctx.store().append(uniqueStream(), [{ type: "b", data: {} }]);
      expect(a.position).toBeDefined();
      expect(b.position!.compareTo(a.position!)).toBeGreaterThan(0);
      const [event] = await collect(ctx.store().read(stream));
      expect(event!.position.equals(a.position!)).toBe(true);
    });
  });
}
