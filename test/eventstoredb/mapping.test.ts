import { EventStoreDBClient, jsonEvent, binaryEvent, type ResolvedEvent } from "@eventstore/db-client";
import type { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CodecRegistry, type Codec } from "../../src/core/codec.js";
import { connect } from "../../src/connect.js";
import { isSerializationError, isStreamNotFoundError, isValidationError } from "../../src/core/errors.js";
import {
  CAUSATION_ID_KEY,
  CONTENT_TYPE_KEY,
  CORRELATION_ID_KEY,
  createEventStoreDBEventStream,
  SCHEMA_VERSION_KEY,
  type EventStoreDBEventStream,
} from "../../src/adapters/eventstoredb/index.js";
import { startEventStoreEmulator, type EventStoreEmulator } from "../../src/servers/eventstoredb/index.js";
import { collect, rejection, uniqueStream } from "./support.js";

// A content type ESDB knows nothing about, with its own codec.
const csvCodec: Codec = {
  contentType: "text/csv",
  encode: (data) => new TextEncoder().encode((data as string[]).join(",")),
  decode: (bytes) => new TextDecoder().decode(bytes).split(","),
};

let emulator: EventStoreEmulator;
let store: EventStoreDBEventStream;
let raw: EventStoreDBClient;

beforeAll(async () => {
  emulator = await startEventStoreEmulator();
  raw = EventStoreDBClient.connectionString(emulator.connectionString);
  store = createEventStoreDBEventStream({
    config: { hosts: [{ host: "127.0.0.1", port: emulator.port }], tls: false },
    codecs: new CodecRegistry().register(csvCodec),
  });
});

afterAll(async () => {
  await store.close();
  await raw.dispose();
  await emulator.close();
});

async function rawRecords(stream: string) {
  return (await collect<ResolvedEvent>(raw.readStream(stream))).map((r) => r.event!);
}

describe("EventStoreDB event mapping", () => {
  it("json and binary are native ESDB content types; the rest travel in reserved metadata and come back", async () => {
    const stream = uniqueStream();
    await store.append(stream, [
      { type: "json", data: { n: 1 } },
      { type: "bytes", data: new Uint8Array([0, 1, 255]) },
      { type: "text", data: "héllo", contentType: "text/plain" },
      { type: "csv", data: ["a", "b"], contentType: "text/csv" },
      { type: "charset", data: { x: true }, contentType: "application/json; charset=utf-8" },
    ]);
    const events = await collect(store.read(stream));
    expect(events.map((e) => [e.type, e.contentType, e.data])).toEqual([
      ["json", "application/json", { n: 1 }],
      ["bytes", "application/octet-stream", new Uint8Array([0, 1, 255])],
      ["text", "text/plain", "héllo"],
      ["csv", "text/csv", ["a", "b"]],
      ["charset", "application/json; charset=utf-8", { x: true }],
    ]);
    expect(events.every((e) => Object.keys(e.metadata).length === 0)).toBe(true);

    // What ESDB itself stores: json stays json (projections can read it), text travels as binary.
    const records = await rawRecords(stream);
    expect(records.map((r) => r.isJson)).toEqual([true, false, false, false, true]);
    expect(records[0]!.metadata).toBeUndefined();
    expect(records[2]!.metadata).toEqual({ [CONTENT_TYPE_KEY]: "text/plain" });
    expect(new TextDecoder().decode(records[2]!.data as Uint8Array)).toBe("héllo");
  });

  it("JSON scalars round-trip, and a custom application/json codec that does not write JSON is refused before sending", async () => {
    const stream = uniqueStream();
    await store.append(stream, [
      { type: "n", data: 42 },
      { type: "z", data: null },
      { type: "s", data: "text" },
    ]);
    expect((await collect(store.read(stream))).map((e) => e.data)).toEqual([42, null, "text"]);
    const broken = createEventStoreDBEventStream({
      config: { hosts: [{ host: "127.0.0.1", port: emulator.port }], tls: false },
      codecs: new CodecRegistry().register({
        contentType: "application/json",
        encode: () => new TextEncoder().encode("not json"),
        decode: () => undefined,
      }),
    });
    const other = uniqueStream();
    const error = await rejection(() => broken.append(other, [{ type: "x", data: {} }]));
    await broken.close();
    expect(isSerializationError(error)).toBe(true);
    await expect(collect(store.read(other))).rejects.toSatisfy(isStreamNotFoundError);
  });

  it("schemaVersion, correlation and causation ids round-trip; ids map to ESDB's $correlationId/$causationId", async () => {
    const stream = uniqueStream();
    const metadata = { correlationId: "corr-1", causationId: "cause-1", tenant: "acme", nested: { a: [1, 2] } };
    await store.append(stream, [{ type: "v3", data: { ok: true }, schemaVersion: 3, metadata }]);
    const [event] = await collect(store.read(stream));
    expect(event!.schemaVersion).toBe(3);
    expect(event!.metadata).toEqual(metadata);
    const [record] = await rawRecords(stream);
    expect(record!.metadata).toEqual({
      [CORRELATION_ID_KEY]: "corr-1",
      [CAUSATION_ID_KEY]: "cause-1",
      tenant: "acme",
      nested: { a: [1, 2] },
      [SCHEMA_VERSION_KEY]: 3,
    });
  });

  it("events written by another ESDB client read naturally: $correlationId becomes correlationId, non-JSON metadata stays visible", async () => {
    const stream = uniqueStream();
    await raw.appendToStream(stream, [
      jsonEvent({ type: "foreign", data: { a: 1 }, metadata: { $correlationId: "c-9", $causationId: "k-9", user: "u" } }),
      binaryEvent({ type: "opaque", data: new Uint8Array([7]), metadata: new Uint8Array([0xff, 0x00]) }),
    ]);
    const [foreign, opaque] = await collect(store.read(stream));
    expect(foreign!.metadata).toEqual({ correlationId: "c-9", causationId: "k-9", user: "u" });
    expect(foreign!.schemaVersion).toBe(1);
    expect(opaque!.contentType).toBe("application/octet-stream");
    expect(opaque!.metadata).toEqual({ $metadata: new Uint8Array([0xff, 0x00]) });
  });

  it("ids, revisions, positions and createdAt come from the server", async () => {
    const stream = uniqueStream();
    const id = "3f7c1bde-6f0a-4f43-9d53-2d7b1c1e5a10";
    const result = await store.append(stream, [{ type: "a", data: 1 }, { type: "b", data: 2, id }]);
    const events = await collect(store.read(stream));
    const records = await rawRecords(stream);
    expect(events[1]!.id).toBe(id);
    expect(events.map((e) => e.revision)).toEqual([0n, 1n]);
    for (const [i, event] of events.entries()) {
      expect(event.position.backend).toBe("esdb");
      expect(event.position.parts).toEqual([records[i]!.position!.commit, records[i]!.position!.prepare]);
      expect(event.createdAt).toEqual(records[i]!.created);
    }
    expect(result.position!.equals(events[1]!.position)).toBe(true);
    expect(result.nextExpectedRevision).toBe(1n);
  });

  it("a read stops when its signal aborts", async () => {
    const stream = uniqueStream();
    await store.append(stream, Array.from({ length: 20 }, (_, i) => ({ type: "n", data: i })));
    const abort = new AbortController();
    const got: unknown[] = [];
    const error = await rejection(async () => {
      for await (const event of store.read(stream, { signal: abort.signal })) {
        got.push(event.data);
        if (got.length === 3) abort.abort(new Error("enough"));
      }
    });
    expect(error.message).toBe("enough");
    expect(got).toEqual([0, 1, 2]);
    await expect(collect(store.read(stream, { signal: AbortSignal.abort(new Error("before")) }))).rejects.toThrow("before");
  });

  it("refuses this adapter's reserved metadata keys before anything is written", async () => {
    const stream = uniqueStream();
    const error = await rejection(() =>
      store.append(stream, [
        { type: "ok", data: 1 },
        { type: "bad", data: 2, metadata: { [SCHEMA_VERSION_KEY]: 9 } },
      ]),
    );
    expect(isValidationError(error)).toBe(true);
    expect(error.message).toMatch(/events\[1\]\.metadata/);
    await expect(collect(store.read(stream))).rejects.toSatisfy(isStreamNotFoundError);
  });

  it("readAll hides ESDB's system events ($metadata, $streamDeleted...) and filters by stream prefix and exact type", async () => {
    const stream = uniqueStream("ra");
    await store.append(stream, [
      { type: "Deposited", data: 1 },
      { type: "DepositedTwice", data: 2 },
    ]);
    await store.setStreamMetadata(stream, { maxCount: 10 });
    const all = await collect(store.readAll());
    expect(all.some((e) => e.streamId.startsWith("$") || e.type.startsWith("$"))).toBe(false);
    expect(all.filter((e) => e.streamId === stream).map((e) => e.type)).toEqual(["Deposited", "DepositedTwice"]);
    const exact = await collect(store.readAll({ filter: { streamPrefixes: [stream], eventTypes: ["Deposited"] } }));
    expect(exact.map((e) => [e.streamId, e.type])).toEqual([[stream, "Deposited"]]);
  });
});

describe("appends and the 6.2.1 BatchAppend trap", () => {
  const openStreams = (client: EventStoreDBClient) =>
    (client as unknown as { disposableStreams: Set<unknown> }).disposableStreams.size;

  it("the adapter's appends use the classic Append call, not the process-wide BatchAppend stream", async () => {
    const adapter = createEventStoreDBEventStream({ config: { hosts: [{ host: "127.0.0.1", port: emulator.port }], tls: false } });
    const stream = uniqueStream();
    await adapter.append(stream, [{ type: "a", data: 1 }]);
    expect(openStreams(adapter.client)).toBe(0);
    // The same client's own append opens the long-lived BatchAppend stream.
    await adapter.client.appendToStream(stream, jsonEvent({ type: "b", data: {} }));
    expect(openStreams(adapter.client)).toBe(1);
    await adapter.close();
  });

  it("closing one EventStream while another appends does not fail the other's appends", async () => {
    const config = { hosts: [{ host: "127.0.0.1", port: emulator.port }], tls: false };
    const closing = createEventStoreDBEventStream({ config });
    const busy = createEventStoreDBEventStream({ config });
    await closing.append(uniqueStream(), [{ type: "a", data: 1 }]);
    const stream = uniqueStream();
    await busy.append(stream, [{ type: "n", data: -1 }]); // connected, features known: the next appends go out at once
    const appends = Array.from({ length: 100 }, (_, i) => busy.append(stream, [{ type: "n", data: i }]));
    await new Promise((resolve) => setImmediate(resolve));
    await closing.close();
    await Promise.all(appends);
    expect((await collect(busy.read(stream))).length).toBe(101);
    await busy.close();
  });
});

describe("other ways to reach the server", () => {
  it("esdb+discover:// finds the leader through gossip; kurrentdb:// is the same as esdb://", async () => {
    for (const url of [
      `esdb+discover://127.0.0.1:${emulator.port}?tls=false&discoveryInterval=10`,
      `kurrentdb://127.0.0.1:${emulator.port}?tls=false`,
    ]) {
      const viaUrl = await connect(url);
      const stream = uniqueStream();
      await viaUrl.append(stream, [{ type: "found", data: url }]);
      expect((await collect(viaUrl.read(stream))).map((e) => e.data)).toEqual([url]);
      await viaUrl.close();
    }
  });
});

describe("an injected EventStoreDBClient", () => {
  it("is used as is, and close() leaves a client the caller owns alone", async () => {
    const client = EventStoreDBClient.connectionString(emulator.connectionString);
    const adapter = createEventStoreDBEventStream({ client });
    expect(adapter.client).toBe(client);
    const stream = uniqueStream();
    await adapter.append(stream, [{ type: "x", data: 1 }]);
    const subscription = client.subscribeToStream(stream);
    await new Promise<void>((resolve) => subscription.once("confirmation", resolve));
    await adapter.close();
    // dispose() would have ended the open call before close() resolved.
    expect((subscription as unknown as Writable).writableFinished).toBe(false);
    await subscription.unsubscribe();
    // Still usable by its owner.
    await client.appendToStream(stream, jsonEvent({ type: "y", data: {} }));
    expect((await rawRecords(stream)).map((r) => r.type)).toEqual(["x", "y"]);
    await client.dispose();
  });

  it("with disposeClient: true, close() disposes it (its open calls end)", async () => {
    const client = EventStoreDBClient.connectionString(emulator.connectionString);
    const adapter = createEventStoreDBEventStream({ client, disposeClient: true });
    const subscription = client.subscribeToStream(uniqueStream());
    // The gRPC call ending shows as the end of the subscription's writable side.
    const closed = new Promise<void>((resolve) => (subscription as unknown as Writable).once("finish", resolve));
    await new Promise<void>((resolve) => subscription.once("confirmation", resolve));
    await adapter.close();
    await closed;
  });
});
