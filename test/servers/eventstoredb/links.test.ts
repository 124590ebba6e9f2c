import { randomUUID } from "node:crypto";
import {
  EventStoreDBClient,
  START,
  binaryEvent,
  jsonEvent,
  persistentSubscriptionToStreamSettingsFromDefaults,
  type PersistentSubscriptionToStreamResolvedEvent,
  type ResolvedEvent,
} from "@eventstore/db-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEventStoreEmulator, type EventStoreEmulator } from "../../../src/servers/eventstoredb/index.js";
import { collect, waitFor } from "./test-support.js";

let esdb: EventStoreEmulator;
let client: EventStoreDBClient;

beforeAll(async () => {
  esdb = await startEventStoreEmulator({ runProjections: "system", startStandardProjections: true });
  client = EventStoreDBClient.connectionString(esdb.connectionString);
});

afterAll(async () => {
  await client?.dispose();
  await esdb?.close();
});

const newCategory = () => `l${randomUUID().replaceAll("-", "").slice(0, 12)}`;
const event = (type: string) => jsonEvent({ type, data: { type } });
const link = (target: string) => binaryEvent({ type: "$>", data: Buffer.from(target) });

/** What a resolved read shows per event: the resolved type, or `-` when only the link came back. */
const shapes = (events: readonly ResolvedEvent[]) =>
  events.map((resolved) => `${resolved.event?.type ?? "-"}<-${resolved.link?.type ?? "-"}`);

const linksIn = (stream: string) => esdb.store.readableEvents(stream)?.length ?? 0;

describe("link resolution in reads", () => {
  it("resolves links written by a client, and leaves a link whose target is gone alone", async () => {
    const target = `target-${randomUUID()}`;
    const links = `links-${randomUUID()}`;
    await client.appendToStream(target, [event("A"), event("B")]);
    await client.appendToStream(links, [link(`0@${target}`), link(`1@${target}`), link(`7@${target}`), link(`x@${target}`)]);
    const read = await collect<ResolvedEvent>(client.readStream(links, { resolveLinkTos: true }));
    // Revision 7 does not exist: link alone; a payload that is no number is no link at all.
    expect(shapes(read)).toEqual(["A<-$>", "B<-$>", "-<-$>", "$><--"]);
    expect(read[0]!.link!.revision).toBe(0n);
    expect(read[0]!.event!.streamId).toBe(target);
  });

  it("links to soft-deleted, tombstoned and truncated events come back as the bare link", async () => {
    const category = newCategory();
    await client.appendToStream(`${category}-soft`, [event("Soft")]);
    await client.appendToStream(`${category}-hard`, [event("Hard")]);
    await client.appendToStream(`${category}-cut`, [event("Cut0"), event("Cut1")]);
    await client.appendToStream(`${category}-kept`, [event("Kept")]);
    await waitFor(() => linksIn(`$ce-${category}`) === 5, 5_000, "links");

    await client.deleteStream(`${category}-soft`);
    await client.tombstoneStream(`${category}-hard`);
    await client.setStreamMetadata(`${category}-cut`, { truncateBefore: 1 });
    // The deletions are linked too: 2 more links (soft delete and tombstone).
    await waitFor(() => linksIn(`$ce-${category}`) === 7, 5_000, "deletion links");

    const read = await collect<ResolvedEvent>(client.readStream(`$ce-${category}`, { resolveLinkTos: true, maxCount: 5 }));
    expect(shapes(read)).toEqual(["-<-$>", "-<-$>", "-<-$>", "Cut1<-$>", "Kept<-$>"]);
    // The bare link still says what it pointed to.
    expect(Buffer.from(read[0]!.link!.data as Uint8Array).toString()).toBe(`0@${category}-soft`);
  });

  it("resolves links in $all reads when asked", async () => {
    const category = newCategory();
    await client.appendToStream(`${category}-1`, [event("InAll")]);
    await waitFor(() => linksIn(`$ce-${category}`) === 1, 5_000, "link");
    const linkRecord = esdb.store.readableEvents(`$ce-${category}`)![0]!;
    const seen: ResolvedEvent[] = [];
    for await (const resolved of client.readAll({ fromPosition: START, resolveLinkTos: true })) {
      if (resolved.link?.streamId === `$ce-${category}`) seen.push(resolved);
    }
    expect(shapes(seen)).toEqual(["InAll<-$>"]);
    expect(seen[0]!.link!.position?.commit).toBe(linkRecord.position);
  });
});

describe("persistent subscriptions on $ce- streams", () => {
  it("deliver resolved events, acked by their link, and bare links to deleted events", async () => {
    const category = newCategory();
    await client.appendToStream(`${category}-1`, [event("P1"), event("P2")]);
    await client.appendToStream(`${category}-2`, [event("Gone")]);
    await client.deleteStream(`${category}-2`);
    await waitFor(() => linksIn(`$ce-${category}`) === 4, 5_000, "links");
    await client.createPersistentSubscriptionToStream(
      `$ce-${category}`,
      "group",
      persistentSubscriptionToStreamSettingsFromDefaults({ startFrom: START, resolveLinkTos: true }),
    );
    const subscription = client.subscribeToPersistentSubscriptionToStream(`$ce-${category}`, "group");
    const received: PersistentSubscriptionToStreamResolvedEvent[] = [];
    subscription.on("data", (resolved: PersistentSubscriptionToStreamResolvedEvent) => {
      received.push(resolved);
      void subscription.ack(resolved);
    });
    await waitFor(() => received.length === 4, 5_000, "history");
    await client.appendToStream(`${category}-1`, [event("Live")]);
    await waitFor(() => received.length === 5, 5_000, "live");
    await subscription.unsubscribe();
    // The soft delete's own link points at the metastream record that deleted the stream, which
    // stays readable: it resolves to that `$metadata` record.
    expect(shapes(received)).toEqual(["P1<-$>", "P2<-$>", "-<-$>", "$metadata<-$>", "Live<-$>"]);
    expect(received[0]!.link!.streamId).toBe(`$ce-${category}`);
    // The server gives the resolved event the position of the link it was reached through.
    expect(received[0]!.link!.position).toBeDefined();
    expect(received[0]!.event!.position).toEqual(received[0]!.link!.position);
    const info = await client.getPersistentSubscriptionToStreamInfo(`$ce-${category}`, "group");
    expect(info.stats.totalItems).toBe(5n);
  });
});
