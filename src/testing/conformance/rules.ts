import { randomUUID } from "node:crypto";
import type { EventData } from "../../core/event.js";
import { collect, expectCode, expectNothingWritten, uniqueStream, type SuiteContext } from "./context.js";

type Loose = EventData & Record<string, unknown>;

/**
 * Appends where backends once disagreed (one stored both events, another one, another hung):
 * core's rules now give one outcome everywhere, a typed refusal with nothing written.
 */
const refused: ReadonlyArray<[string, "VALIDATION" | "SERIALIZATION", (stream: string) => [string, Loose[]]]> = [
  ["two events with the same id in one batch", "VALIDATION", (s) => {
    const id = randomUUID();
    return [s, [{ type: "a", data: {}, id }, { type: "b", data: {}, id }]];
  }],
  ["an event type starting with $ (system events are the backend's)", "VALIDATION", (s) => [s, [{ type: "$>", data: "0@x" }]]],
  ["a stream name starting with $ (system streams are the backend's)", "VALIDATION", (s) => [`$${s}`, [{ type: "t", data: {} }]]],
  ["a metadata key reserved by this library ($switchyard.*)", "VALIDATION", (s) => [s, [{ type: "t", data: {}, metadata: { "$switchyard.contentType": "x/y" } }]]],
  ["a metadata key starting with $ ($correlationId)", "VALIDATION", (s) => [s, [{ type: "t", data: {}, metadata: { $correlationId: "c" } }]]],
  ["NaN in data (JSON would store null)", "SERIALIZATION", (s) => [s, [{ type: "t", data: { amount: NaN } }]]],
  ["Infinity in data (JSON would store null)", "SERIALIZATION", (s) => [s, [{ type: "t", data: { amount: Infinity } }]]],
  ["a function-valued property in data (JSON would drop it)", "SERIALIZATION", (s) => [s, [{ type: "t", data: { f: () => 1, ok: true } }]]],
  ["a function inside an array in data (JSON would store null)", "SERIALIZATION", (s) => [s, [{ type: "t", data: { list: [1, () => 2] } }]]],
  ["a symbol-valued property in data", "SERIALIZATION", (s) => [s, [{ type: "t", data: { s: Symbol("x") } }]]],
  ["a Map in data (JSON would store {})", "SERIALIZATION", (s) => [s, [{ type: "t", data: { byId: new Map([["a", 1]]) } }]]],
  ["NaN in metadata", "SERIALIZATION", (s) => [s, [{ type: "t", data: {}, metadata: { score: NaN } }]]],
  ["a function in metadata", "SERIALIZATION", (s) => [s, [{ type: "t", data: {}, metadata: { f: () => 1 } }]]],
];

export function ruleCases(ctx: SuiteContext): void {
  const { test, describe, expect } = ctx;

  describe("one set of rules: the same outcome on every backend", () => {
    for (const [what, code, build] of refused) {
      test(`append refuses ${what}, writing nothing`, [], async () => {
        const stream = uniqueStream();
        const [target, events] = build(stream);
        await expectCode(ctx.store().append(target, events), code);
        await expectNothingWritten(ctx.store(), stream);
      });
    }

    test("undefined-valued properties read back as absent; toJSON values (a Date) as their JSON form", [], async () => {
      const stream = uniqueStream();
      const at = new Date("2026-03-04T05:06:07.089Z");
      await ctx.store().append(stream, [
        { type: "t", data: { kept: 1, dropped: undefined, at }, metadata: { note: "n", gone: undefined } },
      ]);
      const [event] = await collect(ctx.store().read(stream));
      expect(event!.data).toEqual({ kept: 1, at: "2026-03-04T05:06:07.089Z" });
      expect(Object.keys(event!.data as object)).toEqual(["kept", "at"]);
      expect(event!.metadata.note).toBe("n");
      expect("gone" in event!.metadata).toBe(false);
    });
  });
}
