import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { createMemoryEventStream } from "../../src/adapters/memory/index.js";
import { ValidationError } from "../../src/core/errors.js";
import type { RecordedEvent } from "../../src/core/event.js";
import { EventRegistry, retryDelayMs, type EventsOf } from "../../src/core/domain/index.js";
import { deterministicUuid } from "../../src/core/domain/ids.js";

const registry = new EventRegistry()
  .register("Renamed", z.object({ name: z.string() }))
  .upgrade("Renamed", z.object({ first: z.string(), last: z.string() }), (v1) => {
    const [first = "", ...rest] = v1.name.split(" ");
    return { first, last: rest.join(" ") };
  })
  .upgrade("Renamed", z.object({ first: z.string(), last: z.string(), title: z.string().nullable() }), (v2) => ({ ...v2, title: null }))
  .register("Tagged", z.object({ tags: z.array(z.string()).max(3) }));

async function stored(type: string, data: unknown, schemaVersion: number): Promise<RecordedEvent> {
  const es = createMemoryEventStream();
  await es.append("r-1", [{ type, data, schemaVersion }]);
  for await (const event of es.read("r-1")) return event;
  throw new Error("unreachable");
}

describe("event registry", () => {
  it("infers the newest shape of every type as a discriminated union", () => {
    type Events = EventsOf<typeof registry>;
    expectTypeOf<Extract<Events, { type: "Renamed" }>["data"]>().toEqualTypeOf<{ first: string; last: string; title: string | null }>();
    expectTypeOf<Extract<Events, { type: "Tagged" }>["data"]>().toEqualTypeOf<{ tags: string[] }>();
    expect(registry.types).toEqual(["Renamed", "Tagged"]);
    expect(registry.latestVersion("Renamed")).toBe(3);
  });

  it("validates on append against the newest version and stamps it", () => {
    expect(registry.toEventData({ type: "Renamed", data: { first: "Ada", last: "Lovelace", title: "Countess" } })).toEqual({
      type: "Renamed",
      data: { first: "Ada", last: "Lovelace", title: "Countess" },
      schemaVersion: 3,
    });
    const error = (() => {
      try {
        registry.toEventData({ type: "Tagged", data: { tags: ["a", "b", "c", "d"] } }, undefined, "events[4]");
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ field: "events[4].data.tags" });
    expect(() => registry.toEventData({ type: "Nope", data: {} } as never)).toThrow(/Unknown event type "Nope"/);
  });

  it("lifts v1 and v2 events through every upcaster to the newest shape on read", async () => {
    expect(registry.decodeOrThrow(await stored("Renamed", { name: "Grace Brewster Hopper" }, 1))).toEqual({
      type: "Renamed",
      data: { first: "Grace", last: "Brewster Hopper", title: null },
    });
    expect(registry.decodeOrThrow(await stored("Renamed", { first: "A", last: "B" }, 2)).data).toEqual({ first: "A", last: "B", title: null });
  });

  it("reports which field of a stored event is invalid, and refuses unknown versions and types", async () => {
    const bad = registry.decode(await stored("Renamed", { name: 42 }, 1));
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error).toMatchObject({ code: "VALIDATION", field: "data.name" });
    const future = registry.decode(await stored("Renamed", {}, 9));
    expect(!future.ok && future.error.message).toMatch(/schema version 9 is newer than this code knows \(v3\)/);
    const unknown = registry.decode(await stored("Mystery", {}, 1));
    expect(!unknown.ok && unknown.error.field).toBe("type");
  });

  it("refuses to register a type twice or upgrade an unknown one", () => {
    expect(() => registry.register("Tagged" as never, z.object({}))).toThrow(ValidationError);
    expect(() => (registry as unknown as EventRegistry<Record<string, unknown>>).upgrade("Ghost", z.object({}), () => ({}))).toThrow(/not registered/);
    expect(() => new EventRegistry().register("bad name" as string, z.object({}))).toThrow(/start with a letter/);
  });
});

describe("domain helpers", () => {
  it("derives stable UUIDs from names", () => {
    const id = deterministicUuid("command:c1", "s-1#0");
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deterministicUuid("command:c1", "s-1#0")).toBe(id);
    expect(deterministicUuid("command:c1", "s-1#1")).not.toBe(id);
  });

  it("bounds retry delays exponentially with full jitter", () => {
    const policy = { maxAttempts: 5, initialDelayMs: 10, maxDelayMs: 50 };
    expect(retryDelayMs(1, policy, () => 1)).toBe(10);
    expect(retryDelayMs(3, policy, () => 1)).toBe(40);
    expect(retryDelayMs(9, policy, () => 1)).toBe(50);
    expect(retryDelayMs(3, policy, () => 0.5)).toBe(20);
    expect(retryDelayMs(3, policy, () => 0)).toBe(0);
  });
});
