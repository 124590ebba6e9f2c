// Persistent subscription connection statistics as the server reports them: with extraStatistics
// the push-to-ack times of each connection as the server's measurement keys; counts since the
// last info call for the group and each connection.
import {
  EventStoreDBClient,
  START,
  jsonEvent,
  persistentSubscriptionToStreamSettingsFromDefaults,
  type PersistentSubscriptionToStreamResolvedEvent,
} from "@eventstore/db-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEventStoreEmulator, type EventStoreEmulator } from "../../../src/servers/eventstoredb/index.js";
import { ResponseTimes } from "../../../src/servers/eventstoredb/response-times.js";
import { uniqueStream, waitFor } from "./test-support.js";

let esdb: EventStoreEmulator;
let client: EventStoreDBClient;

beforeAll(async () => {
  esdb = await startEventStoreEmulator();
  client = EventStoreDBClient.connectionString(esdb.connectionString);
});

afterAll(async () => {
  await client?.dispose();
  await esdb?.close();
});

const KEYS = [
  "mean", "median", "fastest", "quintile 1", "quintile 2", "quintile 3", "quintile 4", "quintile 5",
  "90%", "95%", "99%", "99.5%", "99.9%", "highest",
];

async function consumeAndAck(stream: string, group: string, extraStatistics: boolean) {
  await client.appendToStream(stream, Array.from({ length: 3 }, (_, n) => jsonEvent({ type: "Work", data: { n } })));
  await client.createPersistentSubscriptionToStream(
    stream,
    group,
    persistentSubscriptionToStreamSettingsFromDefaults({ startFrom: START, extraStatistics }),
  );
  const subscription = client.subscribeToPersistentSubscriptionToStream(stream, group);
  const received: PersistentSubscriptionToStreamResolvedEvent[] = [];
  subscription.on("data", (event: PersistentSubscriptionToStreamResolvedEvent) => received.push(event));
  await waitFor(() => received.length === 3);
  await subscription.ack(...received);
  const inFlight = async () => (await client.getPersistentSubscriptionToStreamInfo(stream, group)).connections[0]?.inFlightMessages;
  // Each info call takes a measurement, so the counts are checked on a fresh group below.
  for (let attempt = 0; attempt < 200 && (await inFlight()) !== 0; attempt++) await new Promise((r) => setTimeout(r, 10));
  return subscription;
}

describe("persistent subscription connection statistics", () => {
  it("reports the server's latency measurements per connection when extraStatistics is on", async () => {
    const stream = uniqueStream();
    const subscription = await consumeAndAck(stream, "timed", true);
    const info = await client.getPersistentSubscriptionToStreamInfo(stream, "timed");
    const measured = info.connections[0]!.extraStatistics!;
    expect([...measured.keys()]).toEqual(KEYS);
    const value = (key: "fastest" | "median" | "highest") => measured.get(key)!;
    expect(value("fastest")).toBeGreaterThanOrEqual(0n);
    expect(value("fastest")).toBeLessThanOrEqual(value("median"));
    expect(value("median")).toBeLessThanOrEqual(value("highest"));
    const listed = await client.listPersistentSubscriptionsToStream(stream);
    expect([...listed[0]!.connections[0]!.extraStatistics!.keys()]).toEqual(KEYS);
    await subscription.unsubscribe();
  });

  it("reports no measurements without extraStatistics, as the server", async () => {
    const stream = uniqueStream();
    const subscription = await consumeAndAck(stream, "plain", false);
    const info = await client.getPersistentSubscriptionToStreamInfo(stream, "plain");
    expect(info.connections[0]!.extraStatistics).toBeUndefined();
    await subscription.unsubscribe();
  });

  it("counts items since the last info call, for the group and each connection", async () => {
    const stream = uniqueStream();
    await client.appendToStream(stream, Array.from({ length: 4 }, (_, n) => jsonEvent({ type: "Work", data: { n } })));
    await client.createPersistentSubscriptionToStream(stream, "counted", persistentSubscriptionToStreamSettingsFromDefaults({ startFrom: START }));
    const subscription = client.subscribeToPersistentSubscriptionToStream(stream, "counted");
    let received = 0;
    subscription.on("data", () => (received += 1));
    await waitFor(() => received === 4);
    const first = await client.getPersistentSubscriptionToStreamInfo(stream, "counted");
    expect(first.stats.countSinceLastMeasurement).toBe(4n);
    expect(first.connections[0]!.countSinceLastMeasurement).toBe(4n);
    const second = await client.getPersistentSubscriptionToStreamInfo(stream, "counted");
    expect(second.stats.countSinceLastMeasurement).toBe(0n);
    expect(second.connections[0]!.countSinceLastMeasurement).toBe(0n);
    expect(second.stats.totalItems).toBe(4n);
    await subscription.unsubscribe();
  });
});

describe("ResponseTimes", () => {
  it("computes the server's keys over whole milliseconds: mean, median, fastest, quintiles, percentiles, highest", () => {
    let now = 0;
    const times = new ResponseTimes(() => now);
    for (let ms = 1; ms <= 10; ms += 1) {
      times.start(`e${ms}`);
      now += ms + 0.7;
      times.end(`e${ms}`);
    }
    times.end("never-started");
    expect(Object.fromEntries(times.measurements().map(({ key, value }) => [key, value]))).toEqual({
      Mean: 5,
      Median: 6,
      Fastest: 1,
      "Quintile 1": 1,
      "Quintile 2": 3,
      "Quintile 3": 5,
      "Quintile 4": 7,
      "Quintile 5": 9,
      "90%": 10,
      "95%": 10,
      "99%": 10,
      "99.5%": 10,
      "99.9%": 10,
      Highest: 10,
    });
    expect(new ResponseTimes().measurements()).toEqual([]);
  });
});
