import {
  END,
  EventStoreDBClient,
  START,
  StreamDeletedError,
  excludeSystemEvents,
  jsonEvent,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type Position,
  type ResolvedEvent,
} from "@eventstore/db-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEventStoreEmulator, type EventStoreEmulator } from "../../../src/servers/eventstoredb/index.js";
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

const event = (type = "Tested", data: Record<string, unknown> = {}) => jsonEvent({ type, data });

/** Records every signal of a subscription in arrival order. */
function record(subscription: NodeJS.EventEmitter) {
  const signals: string[] = [];
  const events: ResolvedEvent[] = [];
  const errors: unknown[] = [];
  subscription.on("confirmation", () => signals.push("confirmation"));
  subscription.on("caughtUp", () => signals.push("caughtUp"));
  subscription.on("data", (resolved: ResolvedEvent) => {
    events.push(resolved);
    signals.push(`${resolved.event!.type}@${resolved.event!.revision}`);
  });
  subscription.on("error", (error: unknown) => errors.push(error));
  return { signals, events, errors };
}

describe("catch-up subscriptions to a stream", () => {
  it("signals confirmation, then history, then caughtUp, then live events", async () => {
    const stream = uniqueStream();
    await client.appendToStream(stream, [event("H"), event("H")]);
    const subscription = client.subscribeToStream(stream, { fromRevision: START });
    const seen = record(subscription);
    await waitFor(() => seen.signals.includes("caughtUp"), 5_000, "caughtUp");
    await client.appendToStream(stream, [event("L")]);
    await waitFor(() => seen.events.length === 3, 5_000, "live event");
    await subscription.unsubscribe();
    expect(seen.signals).toEqual(["confirmation", "H@0", "H@1", "caughtUp", "L@2"]);
  });

  it("starts strictly after the given revision, and END delivers only new events", async () => {
    const stream = uniqueStream();
    await client.appendToStream(stream, [event("A"), event("B"), event("C")]);
    const after = client.subscribeToStream(stream, { fromRevision: 1n });
    const fromEnd = client.subscribeToStream(stream, { fromRevision: END });
    const seenAfter = record(after);
    const seenEnd = record(fromEnd);
    await waitFor(() => seenAfter.signals.includes("caughtUp") && seenEnd.signals.includes("caughtUp"));
    await client.appendToStream(stream, [event("D")]);
    await waitFor(() => seenAfter.events.length === 2 && seenEnd.events.length === 1);
    await after.unsubscribe();
    await fromEnd.unsubscribe();
    expect(seenAfter.signals).toEqual(["confirmation", "C@2", "caughtUp", "D@3"]);
    expect(seenEnd.signals).toEqual(["confirmation", "caughtUp", "D@3"]);
  });

  it("waits on a stream that does not exist yet", async () => {
    const stream = uniqueStream();
    const subscription = client.subscribeToStream(stream);
    const seen = record(subscription);
    await waitFor(() => seen.signals.includes("caughtUp"));
    await client.appendToStream(stream, [event("First")]);
    await waitFor(() => seen.events.length === 1);
    await subscription.unsubscribe();
    expect(seen.signals).toEqual(["confirmation", "caughtUp", "First@0"]);
  });

  it("delivers $streamDeleted and fails with StreamDeletedError when the stream is tombstoned", async () => {
    const stream = uniqueStream();
    await client.appendToStream(stream, [event("A")]);
    const subscription = client.subscribeToStream(stream);
    const seen = record(subscription);
    await waitFor(() => seen.signals.includes("caughtUp"));
    await client.tombstoneStream(stream);
    await waitFor(() => seen.errors.length === 1, 5_000, "stream-deleted error");
    expect(seen.errors[0]).toBeInstanceOf(StreamDeletedError);
    expect(seen.events.map((e) => e.event!.type)).toEqual(["A", "$streamDeleted"]);
  });
});

describe("catch-up subscriptions to $all", () => {
  it("delivers everything after the start position in log order, then goes live", async () => {
    const stream = uniqueStream();
    const first = await client.appendToStream(stream, [event("A"), event("B")]);
    const start: Position = { commit: first.position!.commit, prepare: first.position!.prepare };
    const all = await client.appendToStream(stream, [event("C")]);
    const subscription = client.subscribeToAll({ fromPosition: start });
    const seen = record(subscription);
    await waitFor(() => seen.signals.includes("caughtUp"));
    await client.appendToStream(stream, [event("D")]);
    await waitFor(() => seen.events.length === 2);
    await subscription.unsubscribe();
    expect(seen.signals).toEqual(["confirmation", "C@2", "caughtUp", "D@3"]);
    expect((seen.events[0] as AllStreamResolvedEvent).event!.position).toEqual(all.position);
  });

  it("excludes system events with a server-side event-type filter", async () => {
    const stream = uniqueStream();
    await client.appendToStream(stream, [event("Visible")]);
    await client.setStreamMetadata(stream, { maxCount: 10 });
    const subscription = client.subscribeToAll({ fromPosition: START, filter: excludeSystemEvents() });
    const seen = record(subscription);
    await waitFor(() => seen.signals.includes("caughtUp"));
    await subscription.unsubscribe();
    expect(seen.events.length).toBeGreaterThan(0);
    expect(seen.events.every((e) => !e.event!.type.startsWith("$"))).toBe(true);
    expect(seen.events.some((e) => e.event!.streamId === stream)).toBe(true);
  });

  it("sends checkpoints every checkpointInterval x maxSearchWindow considered events", async () => {
    const prefix = uniqueStream("match");
    const noise = uniqueStream("noise");
    const checkpoints: Position[] = [];
    const subscription = client.subscribeToAll({
      fromPosition: END,
      filter: streamNameFilter({
        prefixes: [prefix],
        maxSearchWindow: 4,
        checkpointInterval: 2,
        checkpointReached: (_subscription, position) => {
          checkpoints.push(position);
        },
      }),
    });
    const seen = record(subscription);
    await waitFor(() => seen.signals.includes("caughtUp"));
    await client.appendToStream(`${prefix}-1`, [event("Wanted")]);
    for (let i = 0; i < 4; i++) await client.appendToStream(noise, [event("Noise"), event("Noise"), event("Noise"), event("Noise")]);
    await client.appendToStream(`${prefix}-2`, [event("Wanted")]);
    await waitFor(() => seen.events.length === 2 && checkpoints.length >= 2, 5_000, "checkpoints");
    await subscription.unsubscribe();
    // 18 considered events with an interval of 2 x 4 = 8: checkpoints after the 8th and 16th.
    expect(checkpoints).toHaveLength(2);
    expect(seen.events.map((e) => e.event!.streamId)).toEqual([`${prefix}-1`, `${prefix}-2`]);
    expect(checkpoints[0]!.commit).toBeLessThan(checkpoints[1]!.commit);
    expect(checkpoints[1]!.commit).toBeLessThan(seen.events[1]!.event!.position!.commit);
  });

  it("filtered catch-up emits checkpoints while scanning history", async () => {
    const noise = uniqueStream("history-noise");
    for (let i = 0; i < 10; i++) await client.appendToStream(noise, [event("Noise"), event("Noise")]);
    const checkpoints: Position[] = [];
    const subscription = client.subscribeToAll({
      fromPosition: START,
      filter: streamNameFilter({
        prefixes: ["never-written-"],
        maxSearchWindow: 5,
        checkpointReached: (_subscription, position) => {
          checkpoints.push(position);
        },
      }),
    });
    const seen = record(subscription);
    await waitFor(() => seen.signals.includes("caughtUp"));
    await subscription.unsubscribe();
    expect(seen.events).toHaveLength(0);
    expect(checkpoints.length).toBeGreaterThanOrEqual(3);
    const commits = checkpoints.map((position) => position.commit);
    expect(commits).toEqual([...commits].sort((a, b) => (a < b ? -1 : 1)));
  });
});
