import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import type { RecordedEvent } from "../../src/core/event.js";
import { EnsignEvent, META_ID, createEnsignEventStream, type EnsignEventStream } from "../../src/adapters/ensign/index.js";
import type { EnsignServer } from "../../src/servers/ensign/index.js";
import { clientFor, emulator, eventually, uniqueTopic, utf8 } from "./helpers.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(): Promise<{ server: EnsignServer; store: EnsignEventStream }> {
  const server = await emulator();
  const store = createEnsignEventStream({
    endpoint: server.endpoint,
    insecure: true,
    authUrl: server.authUrl,
    clientId: server.clientId,
    clientSecret: server.clientSecret,
    reconnect: { initialDelayMs: 20, maxDelayMs: 200, maxAttempts: 100 },
    pollIntervalMs: 60_000, // prove that live delivery comes from wake-ups, not polling
  });
  cleanups.push(() => server.close(), () => store.close());
  return { server, store };
}

async function read(store: EnsignEventStream, stream: string): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const event of store.read(stream)) events.push(event);
  return events;
}

describe("Ensign faults", () => {
  it("server restarted mid-publish: every acknowledged event is read back exactly once, every unacknowledged one is re-sent", async () => {
    const { server, store } = await setup();
    const stream = `fault${process.pid}-1`;
    const ids = Array.from({ length: 300 }, () => randomUUID());
    const acknowledged = new Set<string>();
    const appends = ids.map((id, i) =>
      store.append(stream, [{ id, type: "numbered", data: { i } }]).then((result) => {
        acknowledged.add(id);
        return result;
      }),
    );
    await eventually(() => store.client.publisher.stats.acks >= 30, "some acks before the restart");
    const ackedAtRestart = acknowledged.size;
    await server.restart();
    // The restart really cut into the publishing.
    expect(ackedAtRestart).toBeLessThan(ids.length);
    const outcomes = await Promise.allSettled(appends);
    // Every append completed: the unacknowledged ones were re-sent after the restart.
    expect(outcomes.filter((o) => o.status === "rejected")).toEqual([]);
    expect(acknowledged.size).toBe(ids.length);
    expect(store.client.publisher.stats.reconnects).toBeGreaterThanOrEqual(1);
    const events = await read(store, stream);
    expect(events.length).toBe(ids.length);
    expect(new Set(events.map((e) => e.id))).toEqual(new Set(ids));
    expect(events.every((e, i) => e.revision === BigInt(i))).toBe(true);
    // At-least-once on the wire: the server may hold more copies than readers see.
    expect(server.eventCount).toBeGreaterThanOrEqual(ids.length);
  });

  it("the client's publish stream re-sends what was not acknowledged; nothing acknowledged is lost", async () => {
    const { server } = await setup();
    const client = clientFor(server, { publishWindow: 16 });
    cleanups.push(() => client.close());
    const topic = uniqueTopic();
    await client.topics.create(topic);
    const events = Array.from({ length: 400 }, (_, i) => new EnsignEvent({ data: utf8.encode(JSON.stringify({ i })), meta: { [META_ID]: String(i) } }));
    await client.publish(topic, events);
    await eventually(() => client.publisher.stats.acks >= 40, "some acks before the restart");
    expect(events.filter((e) => e.acked()).length).toBeLessThan(events.length);
    await server.restart();
    await Promise.all(events.map((e) => e.waitForAck()));
    const rows = await (await client.query(`SELECT * FROM ${topic}`)).fetchAll();
    const seen = new Set(rows.map((r) => r.meta[META_ID]));
    expect(seen.size).toBe(events.length);
    expect(client.publisher.stats.reconnects).toBeGreaterThanOrEqual(1);
    expect(rows.length - seen.size).toBeLessThanOrEqual(client.publisher.stats.resent);
  });

  it("a subscription resumes after a server restart with no gap and no duplicate", async () => {
    const { server, store } = await setup();
    const stream = `resume${process.pid}-1`;
    await store.append(stream, [0, 1, 2].map((i) => ({ type: "n", data: { i } })));
    const subscription = store.subscribe(stream, { retry: { initialDelayMs: 20, maxDelayMs: 200 } });
    cleanups.push(() => subscription.close());
    const iterator = subscription[Symbol.asyncIterator]();
    const seen: RecordedEvent[] = [];
    const next = async () => seen.push(((await iterator.next()).value as RecordedEvent));
    for (let i = 0; i < 3; i++) await next();
    // The feed advances while it is iterated: ask for the next event, then wait for caught-up.
    const fourth = next();
    await subscription.caughtUp;
    await server.restart();
    await store.append(stream, [3, 4].map((i) => ({ type: "n", data: { i } })));
    await fourth;
    await next();
    // A live event after the restart wakes the feed, which reads from its last offset.
    await store.append(stream, [{ type: "n", data: { i: 5 } }]);
    await next();
    expect(seen.map((e) => e.revision)).toEqual([0n, 1n, 2n, 3n, 4n, 5n]);
    expect(seen.map((e) => (e.data as { i: number }).i)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("a subscription dropped by the server is reopened and catches up on what it missed", async () => {
    const { server, store } = await setup();
    const stream = `dropped${process.pid}-1`;
    await store.append(stream, [{ type: "n", data: { i: 0 } }]);
    const subscription = store.subscribe(stream);
    cleanups.push(() => subscription.close());
    const iterator = subscription[Symbol.asyncIterator]();
    expect(((await iterator.next()).value as RecordedEvent).revision).toBe(0n);
    const second = iterator.next();
    await subscription.caughtUp;
    expect(server.dropSubscribers()).toBeGreaterThanOrEqual(1);
    // Written while the subscription is down: Ensign will not replay it, EnSQL will.
    await store.append(stream, [{ type: "n", data: { i: 1 } }]);
    expect(((await second).value as RecordedEvent).revision).toBe(1n);
    await store.append(stream, [{ type: "n", data: { i: 2 } }]);
    expect(((await iterator.next()).value as RecordedEvent).revision).toBe(2n);
  });

  it("the client's subscribe stream reconnects after a drop", async () => {
    const { server } = await setup();
    const client = clientFor(server);
    cleanups.push(() => client.close());
    const topic = uniqueTopic();
    await client.topics.create(topic);
    const subscription = client.subscribe(topic);
    await subscription.ready;
    const iterator = subscription[Symbol.asyncIterator]();
    await client.publish(topic, new EnsignEvent({ data: utf8.encode('"a"') }));
    expect(((await iterator.next()).value as EnsignEvent).decode()).toBe("a");
    server.dropSubscribers();
    await eventually(() => server.subscriberCount >= 1, "the subscriber to come back");
    await client.publish(topic, new EnsignEvent({ data: utf8.encode('"b"') }));
    expect(((await iterator.next()).value as EnsignEvent).decode()).toBe("b");
  });
});
