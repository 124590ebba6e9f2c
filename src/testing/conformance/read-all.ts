import { Position } from "../../core/position.js";
import { collect, uniqueCategory, type SuiteContext } from "./context.js";

export function readAllCases(ctx: SuiteContext): void {
  const { test, describe, expect } = ctx;
  describe("read $all", () => {
    // A real server's $all also holds system events and other tests' events: filter by our prefix.
    async function interleaved() {
      const category = uniqueCategory();
      const a = `${category}-a`;
      const b = `${category}-b`;
      await ctx.store().append(a, [{ type: "a0", data: {} }]);
      await ctx.store().append(b, [{ type: "b0", data: {} }]);
      await ctx.store().append(a, [{ type: "a1", data: {} }]);
      await ctx.store().append(b, [{ type: "b1", data: {} }, { type: "b2", data: {} }]);
      return { prefix: `${category}-`, a, b };
    }

    test("holds every stream's events in append order", ["globalOrder"], async () => {
      const { prefix } = await interleaved();
      const events = await collect(ctx.store().readAll({ filter: { streamPrefixes: [prefix] } }));
      expect(events.map((e) => e.type)).toEqual(["a0", "b0", "a1", "b1", "b2"]);
      for (let i = 1; i < events.length; i++) {
        expect(events[i]!.position.compareTo(events[i - 1]!.position)).toBeGreaterThan(0);
      }
    });

    test("reads backwards from the end", ["globalOrder", "readBackward"], async () => {
      const { prefix } = await interleaved();
      const events = await collect(
        ctx.store().readAll({ direction: "backwards", from: "end", filter: { streamPrefixes: [prefix] } }),
      );
      expect(events.slice(0, 5).map((e) => e.type)).toEqual(["b2", "b1", "a1", "b0", "a0"]);
    });

    test("from a position is inclusive, and positions survive toString/parse", ["globalOrder"], async () => {
      const { prefix } = await interleaved();
      const all = await collect(ctx.store().readAll({ filter: { streamPrefixes: [prefix] } }));
      const third = all[2]!;
      const stored = third.position.toString();
      const parsed = Position.parse(stored);
      expect(parsed.equals(third.position)).toBe(true);
      const after = await collect(ctx.store().readAll({ from: stored, filter: { streamPrefixes: [prefix] } }));
      expect(after.map((e) => e.type)).toEqual(["a1", "b1", "b2"]);
    });

    test("filters by event type", ["globalOrder"], async () => {
      const { prefix } = await interleaved();
      const events = await collect(ctx.store().readAll({ filter: { streamPrefixes: [prefix], eventTypes: ["b1", "a0"] } }));
      expect(events.map((e) => e.type)).toEqual(["a0", "b1"]);
    });

    test("maxCount bounds a read of $all", ["globalOrder"], async () => {
      const { prefix } = await interleaved();
      const events = await collect(ctx.store().readAll({ maxCount: 2, filter: { streamPrefixes: [prefix] } }));
      expect(events.map((e) => e.type)).toEqual(["a0", "b0"]);
    });
  });
}
