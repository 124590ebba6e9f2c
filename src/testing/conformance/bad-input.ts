import type { EventData } from "../../core/event.js";
import type { EventStream } from "../../core/event-stream.js";
import { collect, expectCode, expectNothingWritten, uniqueStream, type SuiteContext } from "./context.js";

type Loose = EventData & Record<string, unknown>;
const ok: EventData = { type: "fine", data: { ok: true } };

/** Each case: a refused append with the error code it must raise; the stream must stay unwritten. */
const refusedAppends: ReadonlyArray<[string, string, (stream: string) => [string, unknown, unknown?]]> = [
  ["an empty stream name", "VALIDATION", () => ["", [ok]]],
  ["a stream name that is not a string", "VALIDATION", () => [42 as unknown as string, [ok]]],
  ["a stream name with control characters", "VALIDATION", (s) => [`${s}\n`, [ok]]],
  ['"$all" as a stream to append to', "VALIDATION", () => ["$all", [ok]]],
  ["events that are not an array", "VALIDATION", (s) => [s, ok]],
  ["an empty batch", "VALIDATION", (s) => [s, []]],
  ["an event with an empty type", "VALIDATION", (s) => [s, [{ type: "", data: {} }]]],
  ["an event whose type is not a string", "VALIDATION", (s) => [s, [{ type: 7, data: {} }]]],
  ["an event that is null", "VALIDATION", (s) => [s, [null]]],
  ["data holding a BigInt", "SERIALIZATION", (s) => [s, [{ type: "t", data: { big: 1n } }]]],
  ["data holding a cycle", "SERIALIZATION", (s) => [s, [{ type: "t", data: cyclic() }]]],
  ["data that has no JSON form (undefined)", "SERIALIZATION", (s) => [s, [{ type: "t", data: undefined }]]],
  ["a batch where only the last event is bad", "SERIALIZATION", (s) => [s, [ok, ok, { type: "t", data: { big: 2n } }]]],
  ["an event id that is not a UUID", "VALIDATION", (s) => [s, [{ ...ok, id: "not-a-uuid" }]]],
  ["a schema version of 0", "VALIDATION", (s) => [s, [{ ...ok, schemaVersion: 0 }]]],
  ["a fractional schema version", "VALIDATION", (s) => [s, [{ ...ok, schemaVersion: 1.5 }]]],
  ["a content type without a codec", "SERIALIZATION", (s) => [s, [{ ...ok, contentType: "application/x-unknown" }]]],
  ["octet-stream data that is not bytes", "SERIALIZATION", (s) => [s, [{ type: "t", data: "abc", contentType: "application/octet-stream" }]]],
  ["text data that is not a string", "SERIALIZATION", (s) => [s, [{ type: "t", data: { a: 1 }, contentType: "text/plain" }]]],
  ["metadata that is an array", "VALIDATION", (s) => [s, [{ ...ok, metadata: [1, 2] }]]],
  ["metadata holding a BigInt", "SERIALIZATION", (s) => [s, [{ ...ok, metadata: { n: 1n } }]]],
  ["a correlation id that is not a string", "VALIDATION", (s) => [s, [{ ...ok, metadata: { correlationId: 5 } }]]],
  ["a negative expected revision", "VALIDATION", (s) => [s, [ok], { expectedRevision: -1n }]],
  ["an expected revision given as a number", "VALIDATION", (s) => [s, [ok], { expectedRevision: 1 }]],
  ["an expected revision that is an unknown word", "VALIDATION", (s) => [s, [ok], { expectedRevision: "latest" }]],
];

function cyclic(): unknown {
  const node: Record<string, unknown> = { name: "loop" };
  node.self = node;
  return node;
}

export function badInputCases(ctx: SuiteContext): void {
  const { test, describe, expect } = ctx;
  const append = (store: EventStream, args: [string, unknown, unknown?]) =>
    store.append(args[0], args[1] as Loose[], args[2] as never);

  describe("bad input is refused with a typed error and nothing written", () => {
    for (const [what, code, build] of refusedAppends) {
      test(`append refuses ${what}`, [], async () => {
        const stream = uniqueStream();
        await expectCode(append(ctx.store(), build(stream)), code);
        await expectNothingWritten(ctx.store(), stream);
      });
    }

    test("an append over the backend's size limit is refused and writes nothing", [], async () => {
      const limit = ctx.caps.maxAppendBytes;
      const stream = uniqueStream();
      if (limit === undefined) {
        // No limit: a 2 MiB event must then be stored whole.
        await ctx.store().append(stream, [{ type: "big", data: "x".repeat(2 * 1024 * 1024), contentType: "text/plain" }]);
        expect(((await collect(ctx.store().read(stream)))[0]!.data as string).length).toBe(2 * 1024 * 1024);
        return;
      }
      const big = { type: "big", data: "x".repeat(limit + 1), contentType: "text/plain" };
      await expectCode(ctx.store().append(stream, [ok, big]), "VALIDATION");
      await expectNothingWritten(ctx.store(), stream);
      // Two events within the limit, over it together: refused where it bounds the batch, stored where it bounds each event.
      const half = { type: "half", data: "x".repeat(Math.floor(limit / 2) + 1), contentType: "text/plain" };
      const pair = uniqueStream();
      if (ctx.caps.maxAppendBytesPer === "batch") {
        await expectCode(ctx.store().append(pair, [half, half]), "VALIDATION");
        await expectNothingWritten(ctx.store(), pair);
      } else {
        await ctx.store().append(pair, [half, half]);
        expect((await collect(ctx.store().read(pair))).length).toBe(2);
      }
    });

    test("read refuses a zero, negative or fractional maxCount", [], async () => {
      const stream = uniqueStream();
      await ctx.store().append(stream, [ok]);
      for (const maxCount of [0, -1, 1.5, -5n]) {
        await expectCode(collect(ctx.store().read(stream, { maxCount })), "VALIDATION");
      }
    });

    test("read refuses a negative start revision and an unknown direction", [], async () => {
      const stream = uniqueStream();
      await ctx.store().append(stream, [ok]);
      await expectCode(collect(ctx.store().read(stream, { from: -1n })), "VALIDATION");
      await expectCode(collect(ctx.store().read(stream, { direction: "sideways" as never })), "VALIDATION");
    });

    test("read refuses a bad stream name", [], async () => {
      await expectCode(collect(ctx.store().read("")), "VALIDATION");
      await expectCode(collect(ctx.store().read(undefined as unknown as string)), "VALIDATION");
    });

    test("readAll refuses a malformed position and one from another backend", ["globalOrder"], async () => {
      await expectCode(collect(ctx.store().readAll({ from: "not a position" })), "VALIDATION");
      const foreign = ctx.caps.backend === "memory" ? "esdb:1/1" : "memory:1";
      await expectCode(collect(ctx.store().readAll({ from: foreign })), "VALIDATION");
    });

    test("subscribe refuses malformed targets and starts", [], async () => {
      const store = ctx.store();
      await expectCode(() => store.subscribe(""), "VALIDATION");
      await expectCode(() => store.subscribe({ category: "has-dash" }), "VALIDATION");
      await expectCode(() => store.subscribe(uniqueStream(), { from: -3n }), "VALIDATION");
      // Without global order, $all is refused as unsupported before its start is looked at.
      const badAll = ctx.caps.globalOrder ? "VALIDATION" : "UNSUPPORTED_OPERATION";
      await expectCode(() => store.subscribe("$all", { from: "memory:not-a-number" }), badAll);
      const foreign = ctx.caps.backend === "memory" ? "esdb:5/5" : "memory:5";
      await expectCode(() => store.subscribe("$all", { from: foreign }), badAll);
      await expectCode(() => store.subscribe("$all", { from: 5n }), badAll);
    });

    test("delete and tombstone refuse a bad stream name", [], async () => {
      await expectCode(ctx.store().delete(""), ctx.caps.delete ? "VALIDATION" : "UNSUPPORTED_OPERATION");
      await expectCode(ctx.store().tombstone(""), ctx.caps.tombstone ? "VALIDATION" : "UNSUPPORTED_OPERATION");
    });

    test("a closed EventStream refuses every operation", [], async () => {
      const store = await ctx.fresh();
      const stream = uniqueStream();
      await store.append(stream, [ok]);
      await store.close();
      await store.close(); // idempotent
      await expectCode(store.append(stream, [ok]), "CLOSED");
      await expectCode(collect(store.read(stream)), "CLOSED");
      await expectCode(() => store.subscribe(stream), "CLOSED");
      if (ctx.caps.delete) await expectCode(store.delete(stream), "CLOSED");
    });

    test("ping() resolves while the backend answers, refuses a bad timeout, and fails with ClosedError once closed", [], async () => {
      await ctx.store().ping();
      await expectCode(ctx.store().ping({ timeoutMs: 0 }), "VALIDATION");
      const store = await ctx.fresh();
      await store.ping({ timeoutMs: ctx.waitTimeoutMs });
      await store.close();
      await expectCode(store.ping(), "CLOSED");
    });
  });
}
