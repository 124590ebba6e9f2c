import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isConnectionError, isSwitchyardError } from "../../src/core/errors.js";
import type { EventData, RecordedEvent, ReconnectInfo } from "../../src/index.js";
import { createEventStoreDBEventStream, type EventStoreDBEventStream } from "../../src/adapters/eventstoredb/index.js";
import { startEventStoreEmulator, type EventStoreEmulator } from "../../src/servers/eventstoredb/index.js";
import { drainInto, uniqueStream, waitFor } from "./support.js";

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

const jobs = (from: number, count: number): EventData[] =>
  Array.from({ length: count }, (_, i) => ({ type: "job", data: { n: from + i }, id: crypto.randomUUID() }));

describe("EventStoreDB subscription reconnects", () => {
  it("are reported one by one with their typed error while the server is down; the subscription resumes after a restart", async () => {
    const stream = uniqueStream("reconnect");
    await store.append(stream, jobs(0, 2));
    const attempts: ReconnectInfo[] = [];
    const subscription = store.subscribe(stream, {
      retry: { initialDelayMs: 20, maxDelayMs: 100 },
      onReconnect: (info) => attempts.push(info),
    });
    const seen: RecordedEvent[] = [];
    const done = drainInto(subscription, seen);
    await subscription.caughtUp;
    await waitFor(() => seen.length === 2, "the history");
    expect(subscription.reconnecting).toBeUndefined();

    await emulator.stop();
    try {
      await waitFor(() => attempts.length >= 3, "three reconnect attempts while the server is down");
      expect(attempts.slice(0, 3).map((a) => a.attempt)).toEqual([1, 2, 3]);
      for (const { error, delayMs } of attempts) {
        expect(isSwitchyardError(error) && isConnectionError(error)).toBe(true);
        expect(delayMs).toBeGreaterThan(0);
        expect(delayMs).toBeLessThanOrEqual(100);
      }
      expect(subscription.reconnecting).toBeDefined();
    } finally {
      await emulator.restart();
    }

    // Retried until the client has reconnected; the ids keep the retry idempotent.
    const more = jobs(2, 1);
    for (let attempt = 0; ; attempt++) {
      try {
        await store.append(stream, more);
        break;
      } catch (error) {
        if (!isConnectionError(error) || attempt > 50) throw error;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    await waitFor(() => seen.length === 3, "the event written after the restart");
    expect(seen.map((e) => e.revision)).toEqual([0n, 1n, 2n]);
    expect(subscription.reconnecting).toBeUndefined();
    await subscription.close();
    await done;
  });
});
