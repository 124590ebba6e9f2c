import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RecordedEvent } from "../../src/core/event.js";
import { eventStoreDBConfigFromConnectionString } from "../../src/adapters/eventstoredb/config.js";
import { createEventStoreDBEventStream, type EventStoreDBEventStream } from "../../src/adapters/eventstoredb/index.js";
import { startEventStoreEmulator, type EventStoreEmulator } from "../../src/servers/eventstoredb/index.js";
import { drainInto, uniqueCategory, waitFor } from "./support.js";

let withProjections: EventStoreEmulator;
let withoutProjections: EventStoreEmulator;

beforeAll(async () => {
  withProjections = await startEventStoreEmulator({ runProjections: "system", startStandardProjections: true });
  withoutProjections = await startEventStoreEmulator();
});
afterAll(async () => {
  await withProjections?.close();
  await withoutProjections?.close();
});

const open = (server: EventStoreEmulator, categoryStreams: boolean): EventStoreDBEventStream =>
  createEventStoreDBEventStream({ config: { hosts: [{ host: "127.0.0.1", port: server.port }], tls: false, categoryStreams } });

/**
 * A category with a soft-deleted stream: its events still sit in `$all` on our server (no
 * scavenging), but their `$ce-` links no longer resolve. What a subscription delivers therefore
 * shows which way it read the category.
 */
async function categoryWithDeletedStream(store: EventStoreDBEventStream): Promise<string> {
  const category = uniqueCategory("ce");
  await store.append(`${category}-gone`, [{ type: "opened", data: "deleted" }]);
  await store.append(`${category}-1`, [{ type: "opened", data: 1 }]);
  await store.delete(`${category}-gone`);
  await store.append(`${category}-1`, [{ type: "deposited", data: 2 }]);
  return category;
}

async function caughtUpData(store: EventStoreDBEventStream, category: string, from?: string): Promise<unknown[]> {
  const subscription = store.subscribe({ category }, from === undefined ? {} : { from });
  const seen: RecordedEvent[] = [];
  const done = drainInto(subscription, seen);
  await subscription.caughtUp;
  await subscription.close();
  await done;
  return seen.map((event) => event.data);
}

describe("categoryStreams (opt-in $ce- reads)", () => {
  it("reads the $ce- stream when $by_category runs: history, then live, with $all positions", async () => {
    const store = open(withProjections, true);
    try {
      const category = await categoryWithDeletedStream(store);
      const subscription = store.subscribe({ category });
      const seen: RecordedEvent[] = [];
      const done = drainInto(subscription, seen);
      await subscription.caughtUp;
      expect(seen.map((event) => event.data)).toEqual([1, 2]);
      await store.append(`${category}-2`, [{ type: "opened", data: 3 }]);
      await waitFor(() => seen.length === 3, "the live event");
      expect(seen.map((event) => event.streamId)).toEqual([`${category}-1`, `${category}-1`, `${category}-2`]);
      const positions = seen.map((event) => event.position);
      expect(positions.every((p, i) => i === 0 || p.compareTo(positions[i - 1]!) > 0)).toBe(true);
      await subscription.close();
      await done;
    } finally {
      await store.close();
    }
  });

  it("resumes after a stored position, exclusive, with no event twice", async () => {
    const store = open(withProjections, true);
    try {
      const category = uniqueCategory("ceresume");
      await store.append(`${category}-1`, [{ type: "a", data: 1 }, { type: "a", data: 2 }]);
      const first = store.subscribe({ category });
      const seen: RecordedEvent[] = [];
      const firstDone = drainInto(first, seen);
      await first.caughtUp;
      const checkpoint = seen[0]!.position.toString();
      await first.close();
      await firstDone;
      await store.append(`${category}-2`, [{ type: "a", data: 3 }]);
      expect(await caughtUpData(store, category, checkpoint)).toEqual([2, 3]);
    } finally {
      await store.close();
    }
  });

  it("falls back to the $all prefix filter when the server has no projections", async () => {
    const store = open(withoutProjections, true);
    try {
      const category = await categoryWithDeletedStream(store);
      expect(await caughtUpData(store, category)).toEqual(["deleted", 1, 2]);
    } finally {
      await store.close();
    }
  });

  it("falls back when $by_category is not running, and stays on the filter by default", async () => {
    const store = open(withProjections, false);
    const optedIn = open(withProjections, true);
    try {
      const category = await categoryWithDeletedStream(store);
      expect(await caughtUpData(store, category)).toEqual(["deleted", 1, 2]);
      await optedIn.client.disableProjection("$by_category");
      try {
        expect(await caughtUpData(optedIn, category)).toEqual(["deleted", 1, 2]);
      } finally {
        await optedIn.client.enableProjection("$by_category");
      }
    } finally {
      await store.close();
      await optedIn.close();
    }
  });

  it("is read from connection strings as categoryStreams=true", () => {
    expect(eventStoreDBConfigFromConnectionString("esdb://localhost:2113?tls=false&categoryStreams=true").categoryStreams).toBe(true);
    expect(() => eventStoreDBConfigFromConnectionString("esdb://localhost:2113?tls=false&categoryStreams=yes")).toThrow(
      /categoryStreams must be "true" or "false"/,
    );
  });
});
