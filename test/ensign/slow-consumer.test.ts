// Ensign drops live notifications for a slow subscriber; the adapter's poll reads what they would
// have announced, and says so to the logger (ENSIGN_SLOW_CONSUMER), while nothing is lost.
import { afterEach, describe, expect, it } from "vitest";
import { createEnsignEventStream, type EnsignEventStream } from "../../src/adapters/ensign/index.js";
import type { LogRecord } from "../../src/core/observability/logger.js";
import type { RecordedEvent } from "../../src/core/event.js";
import type { EnsignServer } from "../../src/servers/ensign/index.js";
import { emulator } from "./helpers.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(subscriberBuffer: number | undefined, pollIntervalMs: number) {
  const server: EnsignServer = await emulator(subscriberBuffer === undefined ? {} : { subscriberBuffer });
  cleanups.push(() => server.close());
  const records: LogRecord[] = [];
  const store: EnsignEventStream = createEnsignEventStream({
    endpoint: server.endpoint,
    insecure: true,
    authUrl: server.authUrl,
    clientId: server.clientId,
    clientSecret: server.clientSecret,
    pollIntervalMs,
    logger: { log: (record) => records.push(record) },
  });
  cleanups.push(() => store.close());
  return { store, records };
}

/** Subscribes, waits until caught up, appends one event and returns it as delivered. */
async function deliverOneLive(store: EnsignEventStream): Promise<RecordedEvent> {
  const stream = `slow${process.pid}${Date.now()}-1`;
  await store.append(stream, [{ type: "Before", data: {} }]);
  const subscription = store.subscribe(stream, { from: "start" });
  const iterator = subscription[Symbol.asyncIterator]();
  expect((await iterator.next()).value?.type).toBe("Before");
  await subscription.caughtUp;
  await store.append(stream, [{ type: "Live", data: {} }]);
  const live = (await iterator.next()).value as RecordedEvent;
  await subscription.close();
  return live;
}

describe("Ensign slow-consumer notices", () => {
  it("events the server never announced (its queue for this subscriber is full) are polled, delivered, and reported", async () => {
    const { store, records } = await setup(0, 100);
    expect((await deliverOneLive(store)).type).toBe("Live");
    const notices = records.filter((r) => r.code === "ENSIGN_SLOW_CONSUMER");
    expect(notices.length).toBeGreaterThanOrEqual(1);
    expect(notices[0]!.level).toBe("info");
    expect(notices[0]!.attributes).toMatchObject({ topic: expect.any(String), events: 1, pollIntervalMs: 100 });
  });

  it("events announced live give no notice", async () => {
    const { store, records } = await setup(undefined, 60_000);
    expect((await deliverOneLive(store)).type).toBe("Live");
    expect(records.filter((r) => r.code === "ENSIGN_SLOW_CONSUMER")).toEqual([]);
  });
});
