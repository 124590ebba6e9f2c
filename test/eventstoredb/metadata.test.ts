import { EventStoreDBClient } from "@eventstore/db-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isValidationError } from "../../src/core/errors.js";
import { createEventStoreDBEventStream, type EventStoreDBEventStream } from "../../src/adapters/eventstoredb/index.js";
import { startEventStoreEmulator, type EventStoreEmulator } from "../../src/servers/eventstoredb/index.js";
import { collect, rejection, uniqueStream } from "./support.js";

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

const events = (n: number) => Array.from({ length: n }, (_, i) => ({ type: "e", data: i }));

describe("EventStoreDB stream metadata", () => {
  it("maps to ESDB's $maxCount, $maxAge and $tb in the $$ metadata stream", async () => {
    const stream = uniqueStream();
    await store.append(stream, events(3));
    await store.setStreamMetadata(stream, { maxCount: 10, maxAgeSeconds: 3600, truncateBefore: 1n });
    const { metadata } = await raw.getStreamMetadata(stream);
    expect(metadata).toEqual({ maxCount: 10, maxAge: 3600, truncateBefore: 1 });
    expect(await store.getStreamMetadata(stream)).toEqual({ maxCount: 10, maxAgeSeconds: 3600, truncateBefore: 1n });
    expect(await store.getStreamMetadata(uniqueStream())).toEqual({});
  });

  it("keeps what the port does not manage (ACLs, custom keys) when it writes", async () => {
    const stream = uniqueStream();
    await raw.setStreamMetadata(stream, { acl: { readRoles: ["ops"] }, owner: "team-a", maxCount: 5, truncateBefore: 2 });
    await store.setStreamMetadata(stream, { maxAgeSeconds: 60 });
    const { metadata } = await raw.getStreamMetadata(stream);
    // Retention settings are replaced as a whole (maxCount and truncateBefore cleared), the rest kept.
    expect(metadata).toEqual({ acl: { readRoles: ["ops"] }, owner: "team-a", maxAge: 60 });
  });

  it("after a soft delete, neither reports nor rewrites the server's deletion marker as truncateBefore", async () => {
    const stream = uniqueStream();
    await store.append(stream, events(3));
    await store.delete(stream);
    expect(await store.getStreamMetadata(stream)).toEqual({}); // $tb = 2^63-1 marks the deletion
    await store.setStreamMetadata(stream, { maxCount: 100 });
    // The server undeletes the stream with its old events truncated (SoftUndeleteMetastream);
    // metastreams keep only their latest record, which now holds our setting and the truncation.
    const written = await collect(raw.readStream(`$$${stream}`, { direction: "backwards", fromRevision: "end", maxCount: 1 }));
    expect(written[0]!.event!.data).toEqual({ $maxCount: 100, $tb: 3 });
    expect(await store.getStreamMetadata(stream)).toEqual({ maxCount: 100, truncateBefore: 3n });
    const visible = await collect(raw.readStream(stream)).catch((error: Error) => error);
    expect(Array.isArray(visible) ? visible : []).toEqual([]);
  });

  it("maxAgeSeconds hides events older than the limit (by the server's clock)", async () => {
    const stream = uniqueStream();
    await store.append(stream, events(2));
    await store.setStreamMetadata(stream, { maxAgeSeconds: 60 });
    expect((await collect(store.read(stream))).length).toBe(2);
    const realNow = emulator.store.now;
    emulator.store.now = () => realNow() + 120_000;
    try {
      expect(await collect(store.read(stream))).toEqual([]);
    } finally {
      emulator.store.now = realNow;
    }
  });

  it("refuses malformed settings before writing anything", async () => {
    const stream = uniqueStream();
    for (const bad of [{ maxCount: 0 }, { maxAgeSeconds: 1.5 }, { truncateBefore: -1n }, { truncateBefore: 2n ** 60n }, { maxcount: 3 }]) {
      const error = await rejection(() => store.setStreamMetadata(stream, bad as never));
      expect(isValidationError(error)).toBe(true);
    }
    expect((await raw.getStreamMetadata(stream)).metadata).toBeUndefined();
  });
});
