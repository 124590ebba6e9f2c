import { BACKWARDS, END, EventStoreDBClient, StreamNotFoundError, jsonEvent, type ResolvedEvent } from "@eventstore/db-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEventStoreEmulator, type EventStoreEmulator } from "../../../src/servers/eventstoredb/index.js";
import { collect, revisionsOf, thrown, uniqueStream } from "./test-support.js";

let esdb: EventStoreEmulator;
let client: EventStoreDBClient;

beforeAll(async () => {
  esdb = await startEventStoreEmulator();
  client = EventStoreDBClient.connectionString(esdb.connectionString);
});

afterAll(async () => {
  esdb.store.now = () => Date.now();
  await client?.dispose();
  await esdb?.close();
});

const five = () => [0, 1, 2, 3, 4].map((n) => jsonEvent({ type: "N", data: { n } }));

describe("$$ metadata streams", () => {
  it("$maxCount keeps only the newest events, in both directions", async () => {
    const stream = uniqueStream();
    await client.appendToStream(stream, five());
    await client.setStreamMetadata(stream, { maxCount: 2 });
    expect(await revisionsOf(client, stream)).toEqual([3n, 4n]);
    const backwards = await collect<ResolvedEvent>(client.readStream(stream, { direction: BACKWARDS, fromRevision: END }));
    expect(backwards.map((e) => e.event!.revision)).toEqual([4n, 3n]);
  });

  it("$tb (truncate before) hides earlier revisions", async () => {
    const stream = uniqueStream();
    await client.appendToStream(stream, five());
    await client.setStreamMetadata(stream, { truncateBefore: 3 });
    expect(await revisionsOf(client, stream)).toEqual([3n, 4n]);
  });

  it("$maxAge hides events older than the given seconds", async () => {
    const stream = uniqueStream();
    await client.appendToStream(stream, five());
    await client.setStreamMetadata(stream, { maxAge: 60 });
    expect(await revisionsOf(client, stream)).toEqual([0n, 1n, 2n, 3n, 4n]);
    const start = Date.now();
    esdb.store.now = () => start + 120_000;
    try {
      await client.appendToStream(stream, [jsonEvent({ type: "N", data: { n: 5 } })]);
      expect(await revisionsOf(client, stream)).toEqual([5n]);
    } finally {
      esdb.store.now = () => Date.now();
    }
  });

  it("getStreamMetadata returns what was set; metadata records are $metadata events in $all", async () => {
    const stream = uniqueStream();
    await client.appendToStream(stream, five());
    await client.setStreamMetadata(stream, { maxCount: 7, custom: "kept" });
    await client.setStreamMetadata(stream, { maxCount: 9, custom: "kept" });
    const result = await client.getStreamMetadata(stream);
    expect(result.streamName).toBe(stream);
    expect(result.metadata).toEqual({ maxCount: 9, custom: "kept" });
    const meta = await collect<ResolvedEvent>(client.readStream(`$$${stream}`));
    // Metastreams keep only their latest record ($maxCount 1).
    expect(meta.map((e) => e.event!.revision)).toEqual([1n]);
    const all = await collect<ResolvedEvent>(client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 2 }));
    expect(all.map((e) => [e.event!.streamId, e.event!.type])).toEqual([
      [`$$${stream}`, "$metadata"],
      [`$$${stream}`, "$metadata"],
    ]);
  });

  it("metadata of a missing stream reads as empty and the stream stays not found", async () => {
    const stream = uniqueStream();
    expect((await client.getStreamMetadata(stream)).metadata).toBeUndefined();
    await client.setStreamMetadata(stream, { maxCount: 3 });
    expect(await thrown(() => revisionsOf(client, stream))).toBeInstanceOf(StreamNotFoundError);
    // The server accepts stream_exists once the metastream exists (IndexWriter.CheckCommit).
    const result = await client.appendToStream(stream, [jsonEvent({ type: "N", data: {} })], {
      expectedRevision: "stream_exists",
    });
    expect(result.nextExpectedRevision).toBe(0n);
  });

  it("soft delete keeps other metadata and sets $tb so recreated streams start after the old events", async () => {
    const stream = uniqueStream();
    await client.appendToStream(stream, five());
    await client.setStreamMetadata(stream, { maxCount: 100, owner: "me" });
    await client.deleteStream(stream);
    await client.appendToStream(stream, [jsonEvent({ type: "N", data: { n: 5 } })]);
    const { metadata } = await client.getStreamMetadata(stream);
    expect(metadata).toEqual({ maxCount: 100, owner: "me", truncateBefore: 5 });
    expect(await revisionsOf(client, stream)).toEqual([5n]);
  });
});
