// The copy's plan in process: `$` system streams and events are left out and listed even when a
// backend hands them out (the built-in adapters already hide them), and a --type filter that
// leaves holes in a stream's revisions marks the stream, so it is copied only with --renumber.
import { describe, expect, it } from "vitest";
import { copiesStream, eventsToCopy, planCopy, type PlanSource } from "../../src/cli/copy/plan.js";
import { globalOrder } from "../../src/cli/copy/source-order.js";
import { connect } from "../../src/connect.js";
import type { RecordedEvent } from "../../src/core/event.js";
import type { EventStream, ReadAllOptions } from "../../src/core/event-stream.js";
import { Position } from "../../src/core/position.js";

function withSystemEvents(store: EventStream): PlanSource {
  const system: RecordedEvent[] = [
    { streamId: "$settings", revision: 0n, position: new Position("memory", [0n]), id: "00000000-0000-4000-8000-000000000001", type: "Settings", data: {}, metadata: {}, contentType: "application/json", schemaVersion: 1, createdAt: new Date() },
    { streamId: "order-1", revision: 9n, position: new Position("memory", [0n]), id: "00000000-0000-4000-8000-000000000002", type: "$metadata", data: {}, metadata: {}, contentType: "application/json", schemaVersion: 1, createdAt: new Date() },
  ];
  return {
    capabilities: store.capabilities,
    read: (stream, options) => store.read(stream, options),
    getStreamMetadata: (stream, options) => store.getStreamMetadata(stream, options),
    async *readAll(options?: ReadAllOptions) {
      yield* system;
      yield* store.readAll(options);
    },
  };
}

describe("copy plan", () => {
  it("lists $ streams and $ event types and leaves them out of the count", async () => {
    const store = await connect("memory:");
    await store.append("order-1", [{ type: "A", data: {} }, { type: "B", data: {} }]);
    const source = withSystemEvents(store);
    const plan = await planCopy(source, globalOrder(source, {}), {}, undefined);
    expect(Object.fromEntries(plan.system)).toEqual({ $settings: 1, "$metadata events": 1 });
    expect(eventsToCopy(plan, false)).toBe(2);
    await store.close();
  });

  it("a type filter that leaves a hole in a stream's revisions copies that stream only with --renumber", async () => {
    const store = await connect("memory:");
    await store.append("order-1", [{ type: "A", data: {} }, { type: "B", data: {} }, { type: "A", data: {} }]);
    await store.append("order-2", [{ type: "A", data: {} }, { type: "A", data: {} }]);
    const selection = { types: ["A"] };
    const plan = await planCopy(store, globalOrder(store, selection), selection, undefined);
    expect(plan.streams.get("order-1")!.state).toBe("gaps");
    expect(copiesStream(plan.streams.get("order-1")!, false)).toBe(false);
    expect(copiesStream(plan.streams.get("order-1")!, true)).toBe(true);
    expect(eventsToCopy(plan, false)).toBe(2);
    expect(eventsToCopy(plan, true)).toBe(4);
    await store.close();
  });
});
