import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CodecRegistry, textCodec } from "../../src/core/codec.js";
import type { RecordedEvent } from "../../src/core/event.js";
import {
  EnsignEvent,
  META_CONTENT_TYPE,
  META_ID,
  META_METADATA,
  META_STREAM,
  createEnsignEventStream,
  type EnsignEventStream,
  type EnsignEventStreamOptions,
} from "../../src/adapters/ensign/index.js";
import { toEnsignEventBytes } from "../../src/adapters/ensign/event-mapping.js";
import { prepareEvents } from "../../src/core/prepare.js";
import { connect } from "../../src/connect.js";
import type { EnsignServer } from "../../src/servers/ensign/index.js";
import { emulator, errorOf, utf8 } from "./helpers.js";

let server: EnsignServer;
let store: EnsignEventStream;
const codecs = new CodecRegistry().register({ ...textCodec, contentType: "application/x-custom" });

function open(extra: Partial<EnsignEventStreamOptions> = {}, on = server): EnsignEventStream {
  return createEnsignEventStream({
    endpoint: on.endpoint,
    insecure: true,
    authUrl: on.authUrl,
    clientId: on.clientId,
    clientSecret: on.clientSecret,
    codecs,
    reconnect: { initialDelayMs: 20, maxDelayMs: 100, maxAttempts: 50 },
    ...extra,
  });
}

async function read(from: EnsignEventStream, stream: string): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const event of from.read(stream)) events.push(event);
  return events;
}

let n = 0;
const streamIn = (category: string) => `${category}${process.pid}x${n++}-1`;

beforeAll(async () => {
  server = await emulator();
  store = open();
});
afterAll(async () => {
  await store.close();
  await server.close();
});

describe("how streams map onto Ensign topics", () => {
  it("a stream's events land in its category's topic with the reserved metadata keys", async () => {
    const stream = streamIn("player");
    const id = randomUUID();
    await store.append(stream, [{ id, type: "PlayerJoined", data: { name: "Ada" }, metadata: { correlationId: "c-1", n: 5 }, schemaVersion: 3 }]);
    const topic = store.topicOf(stream);
    expect(topic).toBe(stream.split("-")[0]);
    const [row] = await (await store.client.query(`SELECT * FROM ${topic}`)).fetchAll();
    expect(row!.meta[META_STREAM]).toBe(stream);
    expect(row!.meta[META_ID]).toBe(id);
    expect(JSON.parse(row!.meta[META_METADATA]!)).toEqual({ correlationId: "c-1", n: 5 });
    expect(row!.meta[META_CONTENT_TYPE]).toBeUndefined();
    expect(row!.type).toEqual({ name: "PlayerJoined", major: 3, minor: 0, patch: 0 });
    expect(row!.mimetypeString).toBe("application/json");
    expect(row!.decode()).toEqual({ name: "Ada" });
  });

  it("a content type the MIME enum cannot say exactly is kept in a reserved key", async () => {
    const stream = streamIn("custom");
    await store.append(stream, [
      { type: "a", data: "raw words", contentType: "application/x-custom" },
      { type: "b", data: { x: 1 }, contentType: "application/json; charset=utf-8" },
      { type: "c", data: "plain", contentType: "text/plain" },
    ]);
    const events = await read(store, stream);
    expect(events.map((e) => e.contentType)).toEqual(["application/x-custom", "application/json; charset=utf-8", "text/plain"]);
    expect(events.map((e) => e.data)).toEqual(["raw words", { x: 1 }, "plain"]);
    const rows = await (await store.client.query(`SELECT * FROM ${store.topicOf(stream)}`)).fetchAll();
    expect(rows.map((r) => r.mimetypeString)).toEqual(["application/octet-stream", "application/json", "text/plain"]);
    expect(rows.map((r) => r.meta[META_CONTENT_TYPE])).toEqual(["application/x-custom", "application/json; charset=utf-8", undefined]);
  });

  it("categories that EnSQL cannot name get a stable queryable topic", async () => {
    const stream = `orders${process.pid}-7`;
    await store.append(stream, [{ type: "placed", data: {} }]);
    expect(store.topicOf(stream)).toMatch(/^s_orders\d+_[0-9a-f]{8}$/);
    expect((await read(store, stream)).length).toBe(1);
  });

  it("an event stored twice (a re-sent publish) is read once and revisions stay contiguous", async () => {
    const stream = streamIn("dup");
    await store.append(stream, [{ type: "first", data: {} }]);
    const topicId = await store.client.resolveTopicId(store.topicOf(stream));
    const [prepared] = prepareEvents(stream, [{ type: "twice", data: { k: 1 } }], codecs);
    const bytes = toEnsignEventBytes(stream, prepared!);
    await Promise.all([store.client.publisher.publish(topicId, bytes), store.client.publisher.publish(topicId, bytes)]);
    await store.append(stream, [{ type: "last", data: {} }]);
    const events = await read(store, stream);
    expect(events.map((e) => [e.type, e.revision])).toEqual([
      ["first", 0n],
      ["twice", 1n],
      ["last", 2n],
    ]);
    expect(events[1]!.id).toBe(prepared!.id);
  });

  it("events published by other Ensign clients into the topic are ignored", async () => {
    const stream = streamIn("mixed");
    await store.append(stream, [{ type: "ours", data: {} }]);
    await store.client.publish(store.topicOf(stream), new EnsignEvent({ data: utf8.encode("{}"), meta: { note: "from pyensign" } }));
    await store.client.flush();
    await store.append(stream, [{ type: "ours-again", data: {} }]);
    expect((await read(store, stream)).map((e) => [e.type, e.revision])).toEqual([
      ["ours", 0n],
      ["ours-again", 1n],
    ]);
  });

  it("re-appending the same ids is a no-op, and a retry completes a partly stored batch", async () => {
    const stream = streamIn("retry");
    const events = [0, 1, 2].map((i) => ({ id: randomUUID(), type: "e", data: { i } }));
    await store.append(stream, events.slice(0, 1));
    const result = await store.append(stream, events);
    expect(result.nextExpectedRevision).toBe(2n);
    expect((await store.append(stream, events)).nextExpectedRevision).toBe(2n);
    expect((await read(store, stream)).map((e) => e.id)).toEqual(events.map((e) => e.id));
  });

  it('expected revisions other than "any" are refused by default, before anything is published', async () => {
    const stream = streamIn("strict");
    for (const expectedRevision of ["no_stream", "stream_exists", 0n] as const) {
      const error = await errorOf(store.append(stream, [{ type: "x", data: {} }], { expectedRevision }));
      expect(error.code).toBe("UNSUPPORTED_OPERATION");
      expect(error.capability).toBe("expectedRevision");
    }
    expect((await errorOf(read(store, stream))).code).toBe("STREAM_NOT_FOUND");
  });

  it("single-writer mode checks expected revisions against this process's view, across EventStreams of the process", async () => {
    const a = open({ consistency: "single-writer" });
    const b = open({ consistency: "single-writer" });
    try {
      const stream = streamIn("single");
      await a.append(stream, [{ type: "x", data: {} }], { expectedRevision: "no_stream" });
      // b has never looked at the stream: it re-reads before checking.
      expect((await errorOf(b.append(stream, [{ type: "y", data: {} }], { expectedRevision: "no_stream" }))).code).toBe("WRONG_EXPECTED_REVISION");
      await b.append(stream, [{ type: "y", data: {} }], { expectedRevision: 0n });
      // a's view is stale now, but the process-wide write count makes it re-read.
      const conflict = await errorOf(a.append(stream, [{ type: "z", data: {} }], { expectedRevision: 0n }));
      expect(conflict).toMatchObject({ code: "WRONG_EXPECTED_REVISION", expected: 0n, actual: 1n });
      // Racing appends in one process: exactly one wins per expected revision.
      const outcomes = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).append(stream, [{ type: "race", data: { i } }], { expectedRevision: 1n })),
      );
      expect(outcomes.filter((o) => o.status === "fulfilled").length).toBe(1);
      expect((await read(a, stream)).map((e) => e.revision)).toEqual([0n, 1n, 2n]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("an event over 5,243,000 bytes is refused before anything of its batch is published", async () => {
    const stream = streamIn("big");
    const error = await errorOf(
      store.append(stream, [
        { type: "small", data: {} },
        { type: "big", data: new Uint8Array(5_243_000) },
      ]),
    );
    expect(error).toMatchObject({ code: "VALIDATION", field: "events[1]" });
    expect((await errorOf(read(store, stream))).code).toBe("STREAM_NOT_FOUND");
  });

  it("connect() opens the adapter from an ensign:// URL with credentials from the environment", async () => {
    const saved = { id: process.env.ENSIGN_CLIENT_ID, secret: process.env.ENSIGN_CLIENT_SECRET };
    process.env.ENSIGN_CLIENT_ID = server.clientId;
    process.env.ENSIGN_CLIENT_SECRET = server.clientSecret;
    try {
      const viaUrl = await connect(`${server.url}&consistency=single-writer`);
      try {
        expect(viaUrl.capabilities).toMatchObject({ backend: "ensign", expectedRevision: true, globalOrder: false });
        const stream = streamIn("viaurl");
        await viaUrl.append(stream, [{ type: "x", data: { ok: true } }], { expectedRevision: "no_stream" });
        expect((await read(store, stream)).map((e) => e.data)).toEqual([{ ok: true }]);
      } finally {
        await viaUrl.close();
      }
    } finally {
      process.env.ENSIGN_CLIENT_ID = saved.id ?? "";
      process.env.ENSIGN_CLIENT_SECRET = saved.secret ?? "";
      if (saved.id === undefined) delete process.env.ENSIGN_CLIENT_ID;
      if (saved.secret === undefined) delete process.env.ENSIGN_CLIENT_SECRET;
    }
  });

  it("operations Ensign cannot do name the missing capability", async () => {
    const stream = streamIn("caps");
    expect(await errorOf(store.delete(stream))).toMatchObject({ code: "UNSUPPORTED_OPERATION", capability: "delete" });
    expect(await errorOf(store.tombstone(stream))).toMatchObject({ code: "UNSUPPORTED_OPERATION", capability: "tombstone" });
    expect(await errorOf(store.getStreamMetadata(stream))).toMatchObject({ capability: "streamMetadata" });
    expect(await errorOf(store.persistentSubscriptions.create({ stream }, "g"))).toMatchObject({ capability: "persistentSubscriptions" });
    expect(await errorOf(read(store, "$all" as never))).toMatchObject({ code: "VALIDATION" });
    const all: RecordedEvent[] = [];
    expect(await errorOf(async () => { for await (const e of store.readAll()) all.push(e); })).toMatchObject({ capability: "globalOrder" });
    expect(() => store.subscribe("$all")).toThrowError(expect.objectContaining({ capability: "globalOrder" }));
  });
});
