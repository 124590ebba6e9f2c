import type { Readable } from "node:stream";
import { EventStoreDBClient } from "@eventstore/db-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CodecRegistry } from "../../src/core/codec.js";
import { isStreamDeletedError } from "../../src/core/errors.js";
import type { RecordedEvent } from "../../src/core/event.js";
import type { FeedMessage } from "../../src/core/subscription.js";
import { createEventStoreDBEventStream, type EventStoreDBEventStream } from "../../src/adapters/eventstoredb/index.js";
import { subscriptionFeed } from "../../src/adapters/eventstoredb/subscription-feed.js";
import { startEventStoreEmulator, type EventStoreEmulator } from "../../src/servers/eventstoredb/index.js";
import { drainInto, uniqueCategory, uniqueStream, waitFor } from "./support.js";

let emulator: EventStoreEmulator;
let store: EventStoreDBEventStream;

beforeAll(async () => {
  emulator = await startEventStoreEmulator();
  store = createEventStoreDBEventStream({ config: { hosts: [{ host: "127.0.0.1", port: emulator.port }], tls: false } });
});
afterAll(async () => {
  await store.close();
  await emulator.close();
});

/** Collects a feed's messages until `until` holds, then stops it. */
async function feedMessages(
  feed: ReturnType<typeof subscriptionFeed>,
  until: (messages: FeedMessage[]) => boolean,
): Promise<FeedMessage[]> {
  const abort = new AbortController();
  const messages: FeedMessage[] = [];
  const timer = setTimeout(() => abort.abort(), 10_000);
  for await (const message of feed("start", abort.signal)) {
    messages.push(message);
    if (until(messages)) break;
  }
  clearTimeout(timer);
  if (!until(messages)) throw new Error(`feed stopped early after ${messages.length} messages`);
  return messages;
}

describe("EventStoreDB catch-up subscriptions", () => {
  it("caught-up is signalled after every historical event, even when history exceeds the client's buffers", async () => {
    const stream = uniqueStream();
    const events = Array.from({ length: 300 }, (_, i) => ({ type: "n", data: { i } }));
    await store.append(stream, events.slice(0, 150));
    await store.append(stream, events.slice(150));
    const feed = subscriptionFeed(store.client, { kind: "stream", stream }, new CodecRegistry());
    const messages = await feedMessages(feed, (m) => m.some((x) => x.kind === "caughtUp"));
    expect(messages.length).toBe(301);
    expect(messages.at(-1)).toEqual({ kind: "caughtUp" });
    expect(messages.slice(0, 300).map((m) => (m.kind === "event" ? m.event.revision : -1n))).toEqual(
      Array.from({ length: 300 }, (_, i) => BigInt(i)),
    );
  });

  it("a category is $all with a stream-prefix filter: only `<category>-` streams, in global order, history then live", async () => {
    const category = uniqueCategory("acct");
    await store.append(`${category}-1`, [{ type: "opened", data: 1 }]);
    await store.append(`${category}x-1`, [{ type: "opened", data: "not in the category" }]);
    await store.append(`${category}-2`, [{ type: "opened", data: 2 }]);
    const subscription = store.subscribe({ category });
    const seen: RecordedEvent[] = [];
    const done = drainInto(subscription, seen);
    await subscription.caughtUp;
    expect(seen.map((e) => e.data)).toEqual([1, 2]);
    await store.append(`${category}-1`, [{ type: "deposited", data: 3 }]);
    await store.append(`other${category}-1`, [{ type: "deposited", data: "elsewhere" }]);
    await store.append(`${category}-3`, [{ type: "opened", data: 4 }]);
    await waitFor(() => seen.length >= 3 && seen.at(-1)!.data === 4, "the live events");
    expect(seen.map((e) => [e.streamId, e.data])).toEqual([
      [`${category}-1`, 1],
      [`${category}-2`, 2],
      [`${category}-1`, 3],
      [`${category}-3`, 4],
    ]);
    const positions = seen.map((e) => e.position);
    expect(positions.every((p, i) => i === 0 || p.compareTo(positions[i - 1]!) > 0)).toBe(true);
    await subscription.close();
    await done;
  });

  it("$all filtered by event type matches exact types (the server filters by prefix, the adapter by name)", async () => {
    const stream = uniqueStream("types");
    const subscription = store.subscribe({ all: true, filter: { eventTypes: [`${stream}:Deposited`] } }, { from: "end" });
    const seen: RecordedEvent[] = [];
    const done = drainInto(subscription, seen);
    await subscription.caughtUp;
    await store.append(stream, [
      { type: `${stream}:Deposited`, data: 1 },
      { type: `${stream}:DepositedTwice`, data: 2 },
      { type: `${stream}:Deposited`, data: 3 },
    ]);
    await waitFor(() => seen.length >= 2, "two matching events");
    await store.append(stream, [{ type: `${stream}:Deposited`, data: 4 }]);
    await waitFor(() => seen.length >= 3, "the third matching event");
    expect(seen.map((e) => e.data)).toEqual([1, 3, 4]);
    await subscription.close();
    await done;
  });

  it("an unfiltered $all subscription hides ESDB's system events", async () => {
    const stream = uniqueStream("sys");
    const subscription = store.subscribe("$all", { from: "end" });
    const seen: RecordedEvent[] = [];
    const done = drainInto(subscription, seen);
    await subscription.caughtUp;
    await store.setStreamMetadata(stream, { maxCount: 5 }); // a $metadata event in $$<stream>
    await store.append(stream, [{ type: "visible", data: 1 }]);
    await waitFor(() => seen.some((e) => e.streamId === stream), "the user event");
    expect(seen.filter((e) => e.streamId.startsWith("$") || e.type.startsWith("$"))).toEqual([]);
    await subscription.close();
    await done;
  });

  it("filtered feeds surface checkpoints past the last match, so a resume skips what was scanned", async () => {
    const category = uniqueCategory("ckpt");
    await store.append(`${category}-1`, [{ type: "match", data: 1 }]);
    // Plenty of non-matching events after the match: more than the server's filter window.
    for (let i = 0; i < 4; i++) {
      await store.append(uniqueStream("noise"), Array.from({ length: 25 }, (_, n) => ({ type: "noise", data: n })));
    }
    const feed = subscriptionFeed(store.client, { kind: "category", category, prefix: `${category}-` }, new CodecRegistry());
    const messages = await feedMessages(feed, (m) => m.some((x) => x.kind === "caughtUp"));
    const events = messages.filter((m) => m.kind === "event");
    expect(events.map((m) => m.event.data)).toEqual([1]);
    const lastEvent = events[0]!.event.position;
    const checkpoints = messages.flatMap((m) => (m.kind === "checkpoint" ? [m.position] : []));
    expect(checkpoints.length).toBeGreaterThan(0);
    expect(checkpoints.some((p) => p.compareTo(lastEvent) > 0)).toBe(true);
    expect(checkpoints.every((p) => p.backend === "esdb" && p.parts.length === 2)).toBe(true);
  });

  it("a stream tombstoned under a live subscription ends it with StreamDeletedError (not retried)", async () => {
    const stream = uniqueStream();
    await store.append(stream, [{ type: "a", data: 1 }]);
    const subscription = store.subscribe(stream, { retry: { initialDelayMs: 10, maxDelayMs: 20 } });
    const seen: RecordedEvent[] = [];
    const done = drainInto(subscription, seen);
    await subscription.caughtUp;
    await store.tombstone(stream);
    const ended = await done;
    expect(isStreamDeletedError(ended)).toBe(true);
    expect(seen.map((e) => e.data)).toEqual([1]);
  });

  it("resumes from a stored checkpoint string, exclusive, with no event twice", async () => {
    const category = uniqueCategory("resume");
    await store.append(`${category}-1`, [{ type: "a", data: 1 }, { type: "a", data: 2 }]);
    const first = store.subscribe({ category });
    const seen: RecordedEvent[] = [];
    const firstDone = drainInto(first, seen);
    await first.caughtUp;
    const checkpoint = first.lastEvent!.position.toString();
    await first.close();
    await firstDone;
    await store.append(`${category}-2`, [{ type: "a", data: 3 }]);
    const second = store.subscribe({ category }, { from: checkpoint });
    const resumed: RecordedEvent[] = [];
    const secondDone = drainInto(second, resumed);
    await second.caughtUp;
    expect(seen.map((e) => e.data)).toEqual([1, 2]);
    expect(resumed.map((e) => e.data)).toEqual([3]);
    await second.close();
    await secondDone;
  });
});

/** The same client, minus the server's caught-up message: what EventStoreDB before 23.10 sends. */
function asOldServer(client: EventStoreDBClient): EventStoreDBClient {
  return new Proxy(client, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      if (property !== "subscribeToStream" && property !== "subscribeToAll") return value.bind(target);
      return (...args: unknown[]) => {
        const subscription = value.apply(target, args) as Readable;
        const emit = subscription.emit.bind(subscription);
        subscription.emit = ((event: string | symbol, ...rest: unknown[]) =>
          event === "caughtUp" ? false : emit(event, ...rest)) as typeof subscription.emit;
        return subscription;
      };
    },
  });
}

describe("caught-up without the server's caught-up message (EventStoreDB before 23.10)", () => {
  let old: EventStoreDBEventStream;
  let client: EventStoreDBClient;
  beforeAll(() => {
    client = EventStoreDBClient.connectionString(emulator.connectionString);
    old = createEventStoreDBEventStream({ client: asOldServer(client) });
  });
  afterAll(async () => {
    await old.close();
    await client.dispose();
  });

  it("a stream subscription is caught up once it delivered the last event that existed", async () => {
    const stream = uniqueStream();
    await old.append(stream, Array.from({ length: 40 }, (_, i) => ({ type: "n", data: i })));
    const subscription = old.subscribe(stream);
    const seen: RecordedEvent[] = [];
    const done = drainInto(subscription, seen);
    await subscription.caughtUp;
    expect(subscription.lastEvent!.revision).toBe(39n);
    await subscription.close();
    await done;
  });

  it("a missing stream, a start at the end and $all are caught up too", async () => {
    for (const [target, from] of [
      [uniqueStream(), undefined],
      [uniqueStream(), "end"],
      ["$all", undefined],
      [{ category: uniqueCategory() }, "end"],
    ] as const) {
      const subscription = old.subscribe(target, from ? { from } : {});
      const done = drainInto(subscription, []);
      await subscription.caughtUp;
      expect(subscription.isCaughtUp).toBe(true);
      await subscription.close();
      await done;
    }
  });

  it("the proxy really hides the server's caught-up message (so the cases above exercise the fallback)", async () => {
    const raw = asOldServer(client).subscribeToStream(uniqueStream());
    let signalled = false;
    raw.on("caughtUp", () => (signalled = true));
    await new Promise<void>((resolve) => raw.once("confirmation", resolve));
    await raw.unsubscribe();
    expect(signalled).toBe(false);
  });
});
