import {
  EventStoreDBClient,
  PersistentSubscriptionDoesNotExistError,
  PersistentSubscriptionExistsError,
  PersistentSubscriptionMaximumSubscribersReachedError,
  START,
  END,
  jsonEvent,
  persistentSubscriptionToAllSettingsFromDefaults,
  persistentSubscriptionToStreamSettingsFromDefaults,
  streamNameFilter,
  type PersistentSubscriptionToStreamResolvedEvent,
  type ResolvedEvent,
} from "@eventstore/db-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEventStoreEmulator, type EventStoreEmulator } from "../../../src/servers/eventstoredb/index.js";
import { collect, thrown, uniqueStream, waitFor } from "./test-support.js";

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

const events = (count: number, type = "Work") =>
  Array.from({ length: count }, (_, n) => jsonEvent({ type, data: { n } }));

type Received = PersistentSubscriptionToStreamResolvedEvent;

function consume(stream: string, group: string, bufferSize = 10) {
  const subscription = client.subscribeToPersistentSubscriptionToStream(stream, group, { bufferSize });
  const received: Received[] = [];
  const errors: unknown[] = [];
  let confirmed = false;
  subscription.on("confirmation", () => (confirmed = true));
  subscription.on("data", (event: Received) => received.push(event));
  subscription.on("error", (error: unknown) => errors.push(error));
  return { subscription, received, errors, confirmed: () => confirmed };
}

describe("persistent subscriptions to a stream", () => {
  it("delivers from the start with retry counts; acked events are not redelivered", async () => {
    const stream = uniqueStream();
    await client.appendToStream(stream, events(3));
    await client.createPersistentSubscriptionToStream(stream, "g", persistentSubscriptionToStreamSettingsFromDefaults({ startFrom: START }));
    const consumer = consume(stream, "g");
    await waitFor(() => consumer.received.length === 3);
    expect(consumer.received.map((e) => [e.event!.revision, e.retryCount])).toEqual([
      [0n, 0],
      [1n, 0],
      [2n, 0],
    ]);
    await consumer.subscription.ack(...consumer.received);
    const inFlight = async () => (await client.getPersistentSubscriptionToStreamInfo(stream, "g")).stats.totalInFlightMessages;
    for (let attempt = 0; attempt < 200 && (await inFlight()) !== 0; attempt++) await new Promise((r) => setTimeout(r, 10));
    expect(await inFlight()).toBe(0);
    await client.appendToStream(stream, events(1));
    await waitFor(() => consumer.received.length === 4);
    expect([consumer.received[3]!.event!.revision, consumer.received[3]!.retryCount]).toEqual([3n, 0]);
    const info = await client.getPersistentSubscriptionToStreamInfo(stream, "g");
    expect(info.stats.totalInFlightMessages).toBe(1);
    expect(info.settings.startFrom).toBe(START);
    expect(info.connections).toHaveLength(1);
    await consumer.subscription.unsubscribe();
  });

  it("nack retry redelivers with an incremented retry count; park moves to the parked stream; replay re-delivers", async () => {
    const stream = uniqueStream();
    await client.createPersistentSubscriptionToStream(stream, "g", persistentSubscriptionToStreamSettingsFromDefaults({ startFrom: START }));
    await client.appendToStream(stream, events(2));
    const consumer = consume(stream, "g");
    await waitFor(() => consumer.received.length === 2);
    const [first, second] = consumer.received as [Received, Received];
    await consumer.subscription.nack("retry", "try again", first);
    await waitFor(() => consumer.received.length === 3);
    expect([consumer.received[2]!.event!.id, consumer.received[2]!.retryCount]).toEqual([first.event!.id, 1]);
    await consumer.subscription.nack("park", "poison", second);
    await consumer.subscription.ack(consumer.received[2]!);
    await waitFor(() => esdb.store.readableEvents(`$persistentsubscription-${stream}::g-parked`) !== undefined);
    const parked = await collect<ResolvedEvent>(client.readStream(`$persistentsubscription-${stream}::g-parked`, { resolveLinkTos: true }));
    expect(parked.map((e) => [e.link?.type, e.event?.id])).toEqual([["$>", second.event!.id]]);
    const info = await client.getPersistentSubscriptionToStreamInfo(stream, "g");
    expect(info.stats.parkedMessageCount).toBe(1n);
    await client.replayParkedMessagesToStream(stream, "g");
    await waitFor(() => consumer.received.length === 4);
    expect(consumer.received[3]!.event!.id).toBe(second.event!.id);
    await consumer.subscription.unsubscribe();
  });

  it("parks after maxRetryCount retries and retries unacked events after the message timeout", async () => {
    const stream = uniqueStream();
    await client.createPersistentSubscriptionToStream(
      stream,
      "g",
      persistentSubscriptionToStreamSettingsFromDefaults({ startFrom: START, maxRetryCount: 1, messageTimeout: 50 }),
    );
    await client.appendToStream(stream, events(1));
    const consumer = consume(stream, "g");
    // Never acked: delivered, retried once after the timeout, then parked.
    await waitFor(() => consumer.received.length === 2, 5_000, "timeout retry");
    expect(consumer.received.map((e) => e.retryCount)).toEqual([0, 1]);
    await waitFor(() => (esdb.store.readableEvents(`$persistentsubscription-${stream}::g-parked`)?.length ?? 0) === 1, 5_000, "parking");
    await consumer.subscription.unsubscribe();
  });

  it("answers the typed errors for existing/missing groups and the subscriber limit", async () => {
    const stream = uniqueStream();
    const settings = persistentSubscriptionToStreamSettingsFromDefaults({ maxSubscriberCount: 1 });
    await client.createPersistentSubscriptionToStream(stream, "g", settings);
    expect(await thrown(() => client.createPersistentSubscriptionToStream(stream, "g", settings))).toBeInstanceOf(
      PersistentSubscriptionExistsError,
    );
    const missing = await thrown(() => client.deletePersistentSubscriptionToStream(stream, "nope"));
    expect(missing).toBeInstanceOf(PersistentSubscriptionDoesNotExistError);
    expect((missing as PersistentSubscriptionDoesNotExistError).groupName).toBe("nope");
    const ghost = consume(stream, "ghost");
    await waitFor(() => ghost.errors.length === 1);
    expect(ghost.errors[0]).toBeInstanceOf(PersistentSubscriptionDoesNotExistError);
    const first = consume(stream, "g");
    await waitFor(first.confirmed);
    const second = consume(stream, "g");
    await waitFor(() => second.errors.length === 1);
    expect(second.errors[0]).toBeInstanceOf(PersistentSubscriptionMaximumSubscribersReachedError);
    await first.subscription.unsubscribe();
  });

  it("shares events between competing consumers round robin", async () => {
    const stream = uniqueStream();
    await client.createPersistentSubscriptionToStream(stream, "g", persistentSubscriptionToStreamSettingsFromDefaults({ startFrom: END }));
    const a = consume(stream, "g");
    const b = consume(stream, "g");
    await waitFor(() => a.confirmed() && b.confirmed());
    const info = await client.getPersistentSubscriptionToStreamInfo(stream, "g");
    expect(info.connections).toHaveLength(2);
    await client.appendToStream(stream, events(4));
    await waitFor(() => a.received.length + b.received.length === 4);
    expect(a.received).toHaveLength(2);
    expect(b.received).toHaveLength(2);
    await a.subscription.unsubscribe();
    await b.subscription.unsubscribe();
  });

  it("Pinned keeps a source stream on one consumer even when it is full", async () => {
    const stream = uniqueStream();
    await client.createPersistentSubscriptionToStream(
      stream,
      "pinned",
      persistentSubscriptionToStreamSettingsFromDefaults({ startFrom: START, consumerStrategyName: "Pinned" }),
    );
    const a = consume(stream, "pinned", 2);
    const b = consume(stream, "pinned", 2);
    await waitFor(() => a.confirmed() && b.confirmed());
    await client.appendToStream(stream, events(4));
    await waitFor(() => a.received.length + b.received.length === 2);
    const [owner, other] = a.received.length === 2 ? [a, b] : [b, a];
    expect(other.received).toHaveLength(0);
    await owner.subscription.ack(...owner.received);
    await waitFor(() => owner.received.length === 4);
    expect(other.received).toHaveLength(0);
    expect(owner.received.map((e) => e.event!.revision)).toEqual([0n, 1n, 2n, 3n]);
    await a.subscription.unsubscribe();
    await b.subscription.unsubscribe();
  });

  it("updates, lists and deletes groups", async () => {
    const stream = uniqueStream();
    await client.createPersistentSubscriptionToStream(stream, "one", persistentSubscriptionToStreamSettingsFromDefaults());
    await client.createPersistentSubscriptionToStream(stream, "two", persistentSubscriptionToStreamSettingsFromDefaults());
    await client.updatePersistentSubscriptionToStream(
      stream,
      "two",
      persistentSubscriptionToStreamSettingsFromDefaults({ maxRetryCount: 3, startFrom: 5n }),
    );
    const listed = await client.listPersistentSubscriptionsToStream(stream);
    expect(listed.map((info) => info.groupName).sort()).toEqual(["one", "two"]);
    const two = await client.getPersistentSubscriptionToStreamInfo(stream, "two");
    expect(two.settings.maxRetryCount).toBe(3);
    expect(two.settings.startFrom).toBe(5n);
    await client.deletePersistentSubscriptionToStream(stream, "one");
    expect((await client.listPersistentSubscriptionsToStream(stream)).map((info) => info.groupName)).toEqual(["two"]);
    expect(await thrown(() => client.getPersistentSubscriptionToStreamInfo(stream, "one"))).toBeInstanceOf(
      PersistentSubscriptionDoesNotExistError,
    );
  });
});

describe("persistent subscriptions to $all", () => {
  it("delivers filtered events to $all groups", async () => {
    const prefix = uniqueStream("ps-all");
    await client.createPersistentSubscriptionToAll("all-group", persistentSubscriptionToAllSettingsFromDefaults({ startFrom: END }), {
      filter: streamNameFilter({ prefixes: [prefix] }),
    });
    const subscription = client.subscribeToPersistentSubscriptionToAll("all-group");
    const received: ResolvedEvent[] = [];
    subscription.on("data", (event: ResolvedEvent) => received.push(event));
    await client.appendToStream(uniqueStream("other"), events(2));
    await client.appendToStream(`${prefix}-a`, events(2, "Wanted"));
    await waitFor(() => received.length === 2);
    expect(received.map((e) => e.event!.streamId)).toEqual([`${prefix}-a`, `${prefix}-a`]);
    const info = await client.getPersistentSubscriptionToAllInfo("all-group");
    expect(info.eventSource).toBe("$all");
    await subscription.unsubscribe();
  });
});
