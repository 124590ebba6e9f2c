import { EventStoreDBClient, type ResolvedEvent } from "@eventstore/db-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isStreamNotFoundError, isValidationError } from "../../src/core/errors.js";
import type { PersistentDelivery, PersistentSubscription } from "../../src/core/event-stream.js";
import { createEventStoreDBEventStream, type EventStoreDBEventStream } from "../../src/adapters/eventstoredb/index.js";
import { startEventStoreEmulator, type EventStoreEmulator } from "../../src/servers/eventstoredb/index.js";
import { collect, rejection, uniqueCategory, uniqueStream } from "./support.js";

let emulator: EventStoreEmulator;
let store: EventStoreDBEventStream;
let raw: EventStoreDBClient;

beforeAll(async () => {
  emulator = await startEventStoreEmulator();
  raw = EventStoreDBClient.connectionString(emulator.connectionString);
  store = createEventStoreDBEventStream({ config: { hosts: [{ host: "127.0.0.1", port: emulator.port }], tls: false } });
});
afterAll(async () => {
  await store.close();
  await raw.dispose();
  await emulator.close();
});

async function take(subscription: PersistentSubscription, count: number): Promise<PersistentDelivery[]> {
  const iterator = subscription[Symbol.asyncIterator]();
  const got: PersistentDelivery[] = [];
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`expected ${count} deliveries, got ${got.length}`)), 10_000).unref(),
  );
  while (got.length < count) {
    const next = await Promise.race([iterator.next(), timeout]);
    if (next.done) break;
    got.push(next.value);
  }
  return got;
}

describe("EventStoreDB persistent subscriptions", () => {
  it("a group on $all with a stream-prefix filter gets only those streams, in order", async () => {
    const category = uniqueCategory("ps");
    const group = uniqueCategory("g");
    const target = { all: true as const, filter: { streamPrefixes: [`${category}-`] } };
    await store.persistentSubscriptions.create(target, group, { startFrom: "end" });
    await store.append(`${category}-1`, [{ type: "job", data: 1 }]);
    await store.append(uniqueStream("other"), [{ type: "job", data: "elsewhere" }]);
    await store.append(`${category}-2`, [{ type: "job", data: 2 }]);
    const consumer = store.persistentSubscriptions.connect(target, group);
    try {
      const deliveries = await take(consumer, 2);
      expect(deliveries.map((d) => [d.event.streamId, d.event.data])).toEqual([
        [`${category}-1`, 1],
        [`${category}-2`, 2],
      ]);
      for (const d of deliveries) await d.ack();
    } finally {
      await consumer.close();
      await store.persistentSubscriptions.delete(target, group);
    }
  });

  it("nack park moves the event to ESDB's parked stream; retry counts retries; skip drops it", async () => {
    const stream = uniqueStream();
    await store.append(stream, [{ type: "job", data: 0 }, { type: "job", data: 1 }, { type: "job", data: 2 }]);
    const target = { stream };
    await store.persistentSubscriptions.create(target, "parkers", { startFrom: "start" });
    const consumer = store.persistentSubscriptions.connect(target, "parkers");
    try {
      const [e0, e1, e2] = await take(consumer, 3);
      await e0!.nack("park", "poison");
      await e1!.nack("retry");
      await e2!.nack("skip");
      const [again] = await take(consumer, 1);
      expect(again!.event.data).toBe(1);
      expect(again!.retryCount).toBe(1);
      await again!.ack();
      const parked = await collect<ResolvedEvent>(
        raw.readStream(`$persistentsubscription-${stream}::parkers-parked`, { resolveLinkTos: true }),
      );
      expect(parked.map((p) => p.event?.data)).toEqual([0]);
    } finally {
      await consumer.close();
      await store.persistentSubscriptions.delete(target, "parkers");
    }
  });

  it("update changes only the given settings and keeps the rest", async () => {
    const stream = uniqueStream();
    const target = { stream };
    await store.persistentSubscriptions.create(target, "tuned", { startFrom: "start", maxRetryCount: 3, messageTimeoutMs: 12_000 });
    await store.persistentSubscriptions.update(target, "tuned", { maxRetryCount: 7 });
    const info = await raw.getPersistentSubscriptionToStreamInfo(stream, "tuned");
    expect(info.settings.maxRetryCount).toBe(7);
    expect(info.settings.messageTimeout).toBe(12_000);
    expect(info.settings.startFrom).toBe("start");
    await store.persistentSubscriptions.delete(target, "tuned");

    const all = { all: true as const };
    const group = uniqueCategory("tunedall");
    await store.persistentSubscriptions.create(all, group, { messageTimeoutMs: 5_000 });
    await store.persistentSubscriptions.update(all, group, { maxRetryCount: 2 });
    const allInfo = await raw.getPersistentSubscriptionToAllInfo(group);
    expect([allInfo.settings.maxRetryCount, allInfo.settings.messageTimeout, allInfo.settings.startFrom]).toEqual([2, 5_000, "end"]);
    await store.persistentSubscriptions.delete(all, group);
  });

  it("group errors are typed: creating twice, using a missing group, malformed settings", async () => {
    const stream = uniqueStream();
    const target = { stream };
    await store.persistentSubscriptions.create(target, "once");
    expect(isValidationError(await rejection(() => store.persistentSubscriptions.create(target, "once")))).toBe(true);
    await store.persistentSubscriptions.delete(target, "once");
    expect(isStreamNotFoundError(await rejection(() => store.persistentSubscriptions.delete(target, "once")))).toBe(true);
    expect(isStreamNotFoundError(await rejection(() => store.persistentSubscriptions.update(target, "once", {})))).toBe(true);
    const missing = store.persistentSubscriptions.connect(target, "never-created");
    expect(isStreamNotFoundError(await rejection(() => take(missing, 1)))).toBe(true);
    expect(
      isValidationError(await rejection(() => store.persistentSubscriptions.create(target, "bad", { maxRetryCount: -1 }))),
    ).toBe(true);
    expect(
      isValidationError(await rejection(() => store.persistentSubscriptions.create(target, "bad", { startFrom: "esdb:1/1" }))),
    ).toBe(true);
    expect(() => store.persistentSubscriptions.connect(target, "")).toThrow(/group must be a non-empty string/);
  });
});
