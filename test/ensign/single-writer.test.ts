import { randomUUID } from "node:crypto";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { AppendResult, RecordedEvent } from "../../src/core/event.js";
import { isWrongExpectedRevisionError } from "../../src/core/errors.js";
import { createEnsignEventStream, type EnsignEventStream, type EnsignEventStreamOptions } from "../../src/adapters/ensign/index.js";
import type { EnsignServer } from "../../src/servers/ensign/index.js";
import { emulator, errorOf, eventually } from "./helpers.js";
import type { LogRecord } from "../../src/core/observability/logger.js";

// Single-writer appends number their revisions from the acks while the writer's view is current,
// and read them back lazily: these tests prove that every later read, subscription and retry sees
// exactly the revisions the appends returned.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// One emulator for the file; every test uses its own streams.
let shared: Promise<EnsignServer> | undefined;
function sharedServer(): Promise<EnsignServer> {
  return (shared ??= emulator());
}
afterAll(async () => {
  if (shared) await (await shared).close();
});

function open(server: EnsignServer, extra: Partial<EnsignEventStreamOptions> = {}): EnsignEventStream {
  const store = createEnsignEventStream({
    endpoint: server.endpoint,
    insecure: true,
    authUrl: server.authUrl,
    clientId: server.clientId,
    clientSecret: server.clientSecret,
    reconnect: { initialDelayMs: 20, maxDelayMs: 200, maxAttempts: 100 },
    consistency: "single-writer",
    pollIntervalMs: 60_000, // live delivery must come from wake-ups
    ...extra,
  });
  cleanups.push(() => store.close());
  return store;
}

/** Counts the EnSQL queries a store makes (each is one read-back round trip). */
function countQueries(store: EnsignEventStream): { readonly count: number } {
  const connection = store.client.connection;
  const original = connection.serverStream.bind(connection);
  const counter = { count: 0 };
  connection.serverStream = ((method: Parameters<typeof original>[0], ...rest: unknown[]) => {
    if (method === "EnSQL") counter.count++;
    return (original as (...args: unknown[]) => ReturnType<typeof original>)(method, ...rest);
  }) as typeof connection.serverStream;
  return counter;
}

async function read(store: EnsignEventStream, stream: string, options: Parameters<EnsignEventStream["read"]>[1] = {}): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const event of store.read(stream, options)) events.push(event);
  return events;
}

let counter = 0;
function streamName(label: string): string {
  return `sw${process.pid}x${counter++}-${label}`;
}

const event = (i: number, id?: string) => ({ ...(id ? { id } : {}), type: "numbered", data: { i } });

describe("Ensign single-writer: revisions numbered from acks", () => {
  it("sequential appends make no read-back query and return the revisions a later read shows", async () => {
    const server = await sharedServer();
    const store = open(server);
    const stream = streamName("seq");
    await store.append(stream, [event(-1)]); // first append of the topic reads it once
    const queries = countQueries(store);
    const results: AppendResult[] = [];
    for (let i = 0; i < 20; i++) results.push(await store.append(stream, [event(2 * i), event(2 * i + 1)]));
    expect(queries.count).toBe(0);
    expect(results.map((r) => r.nextExpectedRevision)).toEqual(Array.from({ length: 20 }, (_, i) => BigInt(2 * i + 2)));
    // No position without a read: the topic offset is known only from the topic.
    expect(results.every((r) => r.position === undefined)).toBe(true);

    const events = await read(store, stream);
    expect(queries.count).toBeGreaterThan(0);
    expect(events.map((e) => e.revision)).toEqual(Array.from({ length: 41 }, (_, i) => BigInt(i)));
    expect(events.map((e) => (e.data as { i: number }).i)).toEqual(Array.from({ length: 41 }, (_, i) => i - 1));
    // A fresh client numbers the topic the same way.
    const other = open(server);
    expect((await read(other, stream)).map((e) => e.id)).toEqual(events.map((e) => e.id));
  });

  it("reads interleaved with appends see every acknowledged event with the revision its append returned", async () => {
    const server = await sharedServer();
    const store = open(server);
    const stream = streamName("interleaved");
    const returned = new Map<string, bigint>();
    for (let round = 0; round < 5; round++) {
      for (let j = 0; j < 3; j++) {
        const id = randomUUID();
        const result = await store.append(stream, [event(round * 3 + j, id)]);
        returned.set(id, result.nextExpectedRevision);
      }
      const events = await read(store, stream);
      expect(events.length).toBe(returned.size);
      for (const e of events) expect(e.revision).toBe(returned.get(e.id));
      const backwards = await read(store, stream, { direction: "backwards", maxCount: 1 });
      expect(backwards[0]!.revision).toBe(BigInt(returned.size - 1));
    }
  });

  it("expected revisions are checked against the acknowledged events before they are read back", async () => {
    const server = await sharedServer();
    const store = open(server);
    const stream = streamName("expected");
    expect((await store.append(stream, [event(0)], { expectedRevision: "no_stream" })).nextExpectedRevision).toBe(0n);
    expect((await store.append(stream, [event(1), event(2)], { expectedRevision: 0n })).nextExpectedRevision).toBe(2n);
    const conflict = await errorOf(store.append(stream, [event(99)], { expectedRevision: 1n }));
    expect(isWrongExpectedRevisionError(conflict)).toBe(true);
    expect(conflict.actual).toBe(2n);
    expect((await errorOf(store.append(stream, [event(99)], { expectedRevision: "no_stream" }))).actual).toBe(2n);
    expect((await store.append(stream, [event(3)], { expectedRevision: 2n })).nextExpectedRevision).toBe(3n);
    expect((await read(store, stream)).map((e) => (e.data as { i: number }).i)).toEqual([0, 1, 2, 3]);
  });

  it("a retry with the same ids before the read-back is a no-op that returns the same revision", async () => {
    const server = await sharedServer();
    const store = open(server);
    const stream = streamName("retry");
    const ids = [randomUUID(), randomUUID()];
    const first = await store.append(stream, ids.map((id, i) => event(i, id)));
    const again = await store.append(stream, ids.map((id, i) => event(i, id)));
    expect(again.nextExpectedRevision).toBe(first.nextExpectedRevision);
    // Partly present: only the new one is published, numbered after the others.
    const third = randomUUID();
    const partial = await store.append(stream, [event(0, ids[0]), event(2, third)]);
    expect(partial.nextExpectedRevision).toBe(2n);
    const events = await read(store, stream);
    expect(events.map((e) => e.id)).toEqual([...ids, third]);
    // Read back now: the retry returns the position too.
    const readBack = await store.append(stream, [event(2, third)]);
    expect(readBack.nextExpectedRevision).toBe(2n);
    expect(readBack.position?.equals(events[2]!.position)).toBe(true);
  });

  it("concurrent appends to one stream and to several streams get distinct revisions that reads confirm", async () => {
    const server = await sharedServer();
    const store = open(server);
    const streams = [streamName("c0"), streamName("c1"), streamName("c2")];
    const appends = Array.from({ length: 60 }, (_, i) => {
      const id = randomUUID();
      const stream = streams[i % streams.length]!;
      return store.append(stream, [event(i, id)]).then((result) => ({ stream, id, revision: result.nextExpectedRevision }));
    });
    const results = await Promise.all(appends);
    for (const stream of streams) {
      const mine = results.filter((r) => r.stream === stream);
      expect(mine.map((r) => r.revision).sort((a, b) => Number(a - b))).toEqual(Array.from({ length: 20 }, (_, i) => BigInt(i)));
      const events = await read(store, stream);
      expect(events.length).toBe(20);
      for (const e of events) expect(mine.find((r) => r.id === e.id)!.revision).toBe(e.revision);
    }
  });

  it("subscriptions deliver ack-numbered events with the same revisions; from 'end' skips appends made before it", async () => {
    const server = await sharedServer();
    const store = open(server);
    const stream = streamName("sub");
    const before = await store.append(stream, [event(0), event(1)]);
    const fromStart = store.subscribe(stream);
    const fromEnd = store.subscribe(stream, { from: "end" });
    cleanups.push(() => fromStart.close(), () => fromEnd.close());
    const seenStart: RecordedEvent[] = [];
    const seenEnd: RecordedEvent[] = [];
    const drain = (sub: typeof fromStart, into: RecordedEvent[]) =>
      (async () => {
        for await (const e of sub) into.push(e);
      })().catch(() => undefined);
    void drain(fromStart, seenStart);
    void drain(fromEnd, seenEnd);
    await eventually(() => seenStart.length === 2, "history of the stream");
    const after = await store.append(stream, [event(2)]);
    await eventually(() => seenStart.length === 3 && seenEnd.length === 1, "the live append on both subscriptions");
    expect(before.nextExpectedRevision).toBe(1n);
    expect(seenStart.map((e) => e.revision)).toEqual([0n, 1n, 2n]);
    expect(seenEnd.map((e) => e.revision)).toEqual([after.nextExpectedRevision]);
    expect(seenEnd[0]!.data).toEqual({ i: 2 });
  });

  it("two single-writer EventStreams of one process take turns on a stream without losing a revision", async () => {
    const server = await sharedServer();
    const a = open(server);
    const b = open(server);
    const stream = streamName("turns");
    const returned: bigint[] = [];
    for (let i = 0; i < 6; i++) {
      const writer = i % 2 === 0 ? a : b;
      returned.push((await writer.append(stream, [event(i)], { expectedRevision: i === 0 ? "no_stream" : BigInt(i - 1) })).nextExpectedRevision);
    }
    expect(returned).toEqual([0n, 1n, 2n, 3n, 4n, 5n]);
    expect((await read(a, stream)).map((e) => (e.data as { i: number }).i)).toEqual([0, 1, 2, 3, 4, 5]);
    expect((await read(b, stream)).map((e) => e.revision)).toEqual([0n, 1n, 2n, 3n, 4n, 5n]);
  });

  it("a second writer the single writer did not know about is reported to the logger when its events are read", async () => {
    const server = await sharedServer();
    const records: LogRecord[] = [];
    const owner = open(server, { logger: { log: (record) => records.push(record) } });
    const intruder = open(server, { consistency: "none" });
    const stream = streamName("intruder");
    await owner.append(stream, [event(0)]);
    await intruder.append(stream, [event(1)]); // breaks the single-writer contract
    await owner.append(stream, [event(2)]); // numbered 1 by the owner, but reads as 2
    const events = await read(owner, stream);
    expect(events.length).toBe(3);
    const conflicts = () => records.filter((r) => r.code === "ENSIGN_SINGLE_WRITER_CONFLICT");
    await eventually(() => conflicts().length > 0, "a single-writer notice");
    expect(conflicts()[0]!.level).toBe("warn");
    expect(conflicts()[0]!.message).toContain(stream);
    expect(conflicts()[0]!.attributes).toMatchObject({ stream });
  });
});

describe("Ensign single-writer across a server restart", () => {
  it("a batch cut by a restart and re-sent (copies may be stored twice) reads back with the revisions numbered from its acks", async () => {
    const server = await emulator();
    cleanups.push(() => server.close());
    const store = open(server);
    const stream = streamName("restart");
    expect((await store.append(stream, [event(-1)])).nextExpectedRevision).toBe(0n);
    const ids = Array.from({ length: 300 }, () => randomUUID());
    const appending = store.append(stream, ids.map((id, i) => event(i, id)));
    await eventually(() => store.client.publisher.stats.acks >= 31, "some acks before the restart");
    const ackedAtRestart = store.client.publisher.stats.acks;
    await server.restart();
    expect(ackedAtRestart).toBeLessThan(301); // the restart really cut into the batch
    const result = await appending;
    expect(store.client.publisher.stats.reconnects).toBeGreaterThanOrEqual(1);
    expect(result.nextExpectedRevision).toBe(300n);
    const next = await store.append(stream, [event(300)]);
    expect(next.nextExpectedRevision).toBe(301n);
    const events = await read(store, stream);
    expect(events.map((e) => e.revision)).toEqual(Array.from({ length: 302 }, (_, i) => BigInt(i)));
    expect(events.slice(1, 301).map((e) => e.id)).toEqual(ids);
    expect(server.eventCount).toBeGreaterThanOrEqual(302);
  });
});

describe("Ensign default mode: appends read back their revisions", () => {
  it("concurrent appends return the revisions and positions reads show", async () => {
    const server = await sharedServer();
    const store = open(server, { consistency: "none" });
    const stream = streamName("default");
    await store.append(stream, [event(-1)]);
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => store.append(stream, [event(i)]).then((r) => ({ r, i }))),
    );
    expect(new Set(results.map(({ r }) => r.nextExpectedRevision)).size).toBe(40);
    expect(results.every(({ r }) => r.position !== undefined)).toBe(true);
    const events = await read(store, stream);
    for (const { r } of results) {
      const e = events[Number(r.nextExpectedRevision)]!;
      expect(e.position.equals(r.position!)).toBe(true);
    }
  });
});
