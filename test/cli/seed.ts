// Source stores for the copy tests: ordinary streams interleaved in global order, plus every case
// the copy must treat on its own (binary and text data, schema versions, metadata, retention,
// soft deletes, tombstones), where the backend has them.
import type { EventData } from "../../src/core/event.js";
import type { EventStream } from "../../src/core/event-stream.js";

export interface Seeded {
  /** Events the copy takes (the retained events of the streams it copies). */
  readonly copied: number;
  /** Streams whose retained events do not start at 0. */
  readonly notFromZero: readonly string[];
  readonly tombstoned: readonly string[];
  readonly deleted: readonly string[];
}

export function events(n: number, type = "OrderPlaced"): EventData[] {
  return Array.from({ length: n }, (_, i) => ({
    type,
    data: { i, note: `event ${i}`, nested: { list: [1, 2, 3], flag: i % 2 === 0 } },
    metadata: { correlationId: `corr-${i}`, tenant: "acme" },
  }));
}

/** `streams` streams with `perStream` events each, appended in rounds so they interleave. */
export async function seedOrders(store: EventStream, streams: number, perStream: number, prefix = "order"): Promise<number> {
  const perAppend = 2;
  for (let round = 0; round < perStream / perAppend; round++) {
    for (let s = 0; s < streams; s++) await store.append(`${prefix}-${s}`, events(perAppend, round % 2 === 0 ? "OrderPlaced" : "OrderPaid"));
  }
  return streams * perStream;
}

/** The special cases; what each backend can hold decides which are written. */
export async function seedSpecialCases(store: EventStream): Promise<Seeded> {
  const caps = store.capabilities;
  let copied = 0;
  await store.append("kinds-1", [
    { type: "Blob", data: new Uint8Array([0, 1, 2, 254, 255]) },
    { type: "Note", data: "plain text ✓", contentType: "text/plain" },
    { type: "Upgraded", data: { v: 3 }, schemaVersion: 3, metadata: { causationId: "x" } },
  ]);
  copied += 3;
  const notFromZero: string[] = [];
  const tombstoned: string[] = [];
  const deleted: string[] = [];
  if (caps.streamMetadata) {
    await store.append("retained-1", events(3));
    await store.setStreamMetadata("retained-1", { maxCount: 100, maxAgeSeconds: 86_400 });
    copied += 3;
    await store.append("truncated-1", events(4));
    await store.setStreamMetadata("truncated-1", { truncateBefore: 2n });
    notFromZero.push("truncated-1");
  }
  if (caps.delete) {
    await store.append("deleted-1", events(2));
    await store.delete("deleted-1");
    deleted.push("deleted-1");
    await store.append("recreated-1", events(2));
    await store.delete("recreated-1");
    await store.append("recreated-1", events(1));
    notFromZero.push("recreated-1");
  }
  if (caps.tombstone) {
    await store.append("tombstoned-1", events(2));
    await store.tombstone("tombstoned-1");
    tombstoned.push("tombstoned-1");
  }
  return { copied, notFromZero, tombstoned, deleted };
}
