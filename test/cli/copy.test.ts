// `switchyard copy` between real stores, each pair with --verify: sqlite→sqlite, sqlite→postgres,
// EventStoreDB (our server)→postgres, postgres→Ensign (our server, single-writer). Besides the
// command's own verify, the test reads both stores itself: ids, revisions and global order.
import { readFileSync } from "node:fs";
import { EventStoreDBClient, jsonEvent } from "@eventstore/db-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../src/connect.js";
import type { EventStream } from "../../src/core/event-stream.js";
import { startEnsignServer, startEventStoreDBServer, type EnsignServer, type EventStoreDBServer } from "../../src/servers/index.js";
import { dropSchemas, SHARED_URL, uniqueSchema, urlWithSchema } from "../postgres/schema.js";
import { runCli, tempDirectory } from "./cli.js";
import { seedOrders, seedSpecialCases, type Seeded } from "./seed.js";

interface Report {
  copied: number;
  eventsPerSecond: number;
  streams: number;
  order: string;
  skipped: { system: Record<string, number>; notFromZero: string[]; deleted: string[] };
  tombstones: { carried: string[]; notCarried: string[] };
  metadata: { carried: number; notCarried: string[] };
  verify: { streams: number; events: number; differences: number };
}

const temp = tempDirectory("copy");
const schemas: string[] = [];
let esdb: EventStoreDBServer;
let ensign: EnsignServer;

function postgresUrl(label: string): string {
  const schema = uniqueSchema(label);
  schemas.push(schema);
  return urlWithSchema(SHARED_URL, schema);
}

beforeAll(async () => {
  [esdb, ensign] = await Promise.all([startEventStoreDBServer(), startEnsignServer()]);
});

afterAll(async () => {
  await Promise.all([esdb?.close(), ensign?.close()]);
  await dropSchemas(SHARED_URL, schemas);
  temp.remove();
});

async function seed(url: string, streams = ORDER_STREAMS): Promise<Seeded & { total: number }> {
  const store = await connect(url);
  try {
    const orders = await seedOrders(store, streams, 6);
    const special = await seedSpecialCases(store);
    return { ...special, total: orders + special.copied };
  } finally {
    await store.close();
  }
}

async function copyAndVerify(from: string, to: string, label: string): Promise<Report> {
  const result = await runCli(["copy", from, to, "--verify", "--json", "--checkpoint", temp.file(`${label}.checkpoint.json`)]);
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  const report = JSON.parse(result.stdout) as Report;
  console.log(`[figures] copy ${label}: ${report.copied} events, ${report.eventsPerSecond} events/s`);
  return report;
}

/** (stream, revision, id, type) of every user event in global order, for the streams given. */
async function globalOrderOf(url: string, streams: ReadonlySet<string>): Promise<string[]> {
  const store = await connect(url);
  try {
    const seen: string[] = [];
    for await (const event of store.readAll()) {
      if (streams.has(event.streamId)) seen.push(`${event.streamId}@${event.revision} ${event.id} ${event.type}`);
    }
    return seen;
  } finally {
    await store.close();
  }
}

async function streamEvents(store: EventStream, stream: string): Promise<string[]> {
  const seen: string[] = [];
  for await (const event of store.read(stream)) {
    seen.push(JSON.stringify([event.revision.toString(), event.id, event.type, event.contentType, event.schemaVersion, event.metadata, event.data instanceof Uint8Array ? [...event.data] : event.data]));
  }
  return seen;
}

const ORDER_STREAMS = 12;

function copiedStreams(): Set<string> {
  return new Set([...Array.from({ length: ORDER_STREAMS }, (_, i) => `order-${i}`), "kinds-1", "retained-1"]);
}

describe("switchyard copy", () => {
  it("sqlite → sqlite: every event with its id, revision, data, metadata, content type and schema version, in global order; retention, deletes and tombstones handled", async () => {
    const from = `sqlite:${temp.file("source.db")}`;
    const to = `sqlite:${temp.file("target.db")}`;
    const seeded = await seed(from);
    const report = await copyAndVerify(from, to, "sqlite-sqlite");
    expect(report.copied).toBe(seeded.total);
    expect(report.order).toBe("global");
    expect(report.verify).toEqual({ streams: 14, events: seeded.total, differences: 0 });
    expect(report.skipped.notFromZero.sort()).toEqual([...seeded.notFromZero].sort());
    expect(report.skipped.deleted).toEqual(seeded.deleted);
    expect(report.tombstones.carried).toEqual(["tombstoned-1"]);
    expect(report.metadata.carried).toBe(1);
    expect(await globalOrderOf(to, copiedStreams())).toEqual(await globalOrderOf(from, copiedStreams()));
    const [source, target] = [await connect(from), await connect(to)];
    try {
      expect(await streamEvents(target, "kinds-1")).toEqual(await streamEvents(source, "kinds-1"));
      expect(await target.getStreamMetadata("retained-1")).toEqual({ maxCount: 100, maxAgeSeconds: 86_400 });
      await expect(target.read("tombstoned-1")[Symbol.asyncIterator]().next()).rejects.toMatchObject({ code: "STREAM_DELETED" });
      await expect(target.read("truncated-1")[Symbol.asyncIterator]().next()).rejects.toMatchObject({ code: "STREAM_NOT_FOUND" });
    } finally {
      await Promise.all([source.close(), target.close()]);
    }

    // --renumber takes the streams that start later, from revision 0; a difference makes --verify fail.
    const renumbered = await runCli(["copy", from, `sqlite:${temp.file("renumbered.db")}`, "--renumber", "--verify", "--json", "--no-checkpoint"]);
    expect(renumbered.code).toBe(0);
    const second = JSON.parse(renumbered.stdout) as Report & { renumbered: string[] };
    expect(second.renumbered.sort()).toEqual([...seeded.notFromZero].sort());
    expect(second.copied).toBe(seeded.total + 2 + 1);
    const changed = await connect(to);
    await changed.append("order-3", [{ type: "Extra", data: {} }]);
    await changed.close();
    const differs = await runCli(["copy", from, to, "--verify", "--no-checkpoint", "--prefix", "order-3"]);
    expect(differs.code).toBe(1);
    expect(differs.stderr).toContain("order-3: the target has more events than the 6 copied");
    expect(differs.stderr).toMatch(/verify found 1 difference/);
  });

  it("sqlite → postgres", async () => {
    const from = `sqlite:${temp.file("to-postgres.db")}`;
    const to = postgresUrl("cli_copy_sp");
    const seeded = await seed(from);
    const report = await copyAndVerify(from, to, "sqlite-postgres");
    expect(report.copied).toBe(seeded.total);
    expect(report.verify.differences).toBe(0);
    expect(report.tombstones.carried).toEqual(["tombstoned-1"]);
    expect(await globalOrderOf(to, copiedStreams())).toEqual(await globalOrderOf(from, copiedStreams()));
  });

  it("EventStoreDB (our server) → postgres; a $ system stream stays behind", async () => {
    const from = esdb.url;
    const to = postgresUrl("cli_copy_ep");
    const seeded = await seed(from);
    const client = EventStoreDBClient.connectionString(esdb.connectionString);
    try {
      await client.appendToStream("$ops-settings", jsonEvent({ type: "Settings", data: { a: 1 } }));
    } finally {
      await client.dispose();
    }
    const report = await copyAndVerify(from, to, "esdb-postgres");
    expect(report.copied).toBe(seeded.total);
    expect(report.verify.differences).toBe(0);
    // The EventStoreDB adapter hides $ streams and events from $all already (plan.test.ts covers the copy's own check).
    const target = await connect(to);
    await expect(target.read("$ops-settings")[Symbol.asyncIterator]().next()).rejects.toMatchObject({ code: "STREAM_NOT_FOUND" });
    await target.close();
    expect(report.skipped.notFromZero.sort()).toEqual([...seeded.notFromZero].sort());
    expect(await globalOrderOf(to, copiedStreams())).toEqual(await globalOrderOf(from, copiedStreams()));
  });

  it("postgres → Ensign (our server, single-writer): tombstones and stream metadata reported as not carried", async () => {
    const from = postgresUrl("cli_copy_pe");
    const to = `${ensign.url}&consistency=single-writer`;
    // Fewer streams: each Ensign append waits for its acknowledgement and the single-writer check.
    const seeded = await seed(from, 4);
    const report = await copyAndVerify(from, to, "postgres-ensign");
    expect(report.copied).toBe(seeded.total);
    expect(report.verify).toMatchObject({ events: seeded.total, differences: 0 });
    expect(report.tombstones.notCarried).toEqual(["tombstoned-1"]);
    expect(report.metadata.notCarried).toEqual(["retained-1"]);
    const [source, target] = [await connect(from), await connect(to)];
    try {
      for (const stream of ["order-0", "order-3", "kinds-1"]) expect(await streamEvents(target, stream)).toEqual(await streamEvents(source, stream));
    } finally {
      await Promise.all([source.close(), target.close()]);
    }
  });

  it("Ensign (a topic per category, no global order) → sqlite, stream by stream with --stream", async () => {
    const from = ensign.url;
    const to = `sqlite:${temp.file("from-ensign.db")}`;
    const source = await connect(from);
    await seedOrders(source, 3, 4, "invoice");
    await source.append("kinds-9", [{ type: "Blob", data: new Uint8Array([9, 8, 7]) }, { type: "V2", data: { a: 1 }, schemaVersion: 2, metadata: { tenant: "acme" } }]);
    await source.close();
    const streams = ["invoice-0", "invoice-1", "invoice-2", "kinds-9"];
    const result = await runCli(["copy", from, to, ...streams.flatMap((stream) => ["--stream", stream]), "--verify", "--json", "--checkpoint", temp.file("ensign.checkpoint.json")]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report).toMatchObject({ order: "streams", copied: 14, verify: { streams: 4, events: 14, differences: 0 } });
    console.log(`[figures] copy ensign-sqlite: ${report.copied} events, ${report.eventsPerSecond} events/s`);
    const checkpoint = JSON.parse(readFileSync(temp.file("ensign.checkpoint.json"), "utf8")) as { cursor: unknown; complete: boolean };
    expect(checkpoint).toMatchObject({ complete: true, cursor: { kind: "streams", stream: "kinds-9", revision: "1" } });
  });

  it("refuses an Ensign target that cannot check expected revisions, and a source with no global order without --stream (exit 2)", async () => {
    const from = `sqlite:${temp.file("refusals.db")}`;
    const store = await connect(from);
    await store.append("order-1", [{ type: "A", data: {} }]);
    await store.close();
    const target = await runCli(["copy", from, ensign.url, "--no-checkpoint"]);
    expect(target.code).toBe(2);
    expect(target.stderr).toContain("consistency=single-writer");
    expect(target.stderr).not.toContain(ensign.clientSecret);
    const source = await runCli(["copy", ensign.url, from, "--no-checkpoint"]);
    expect(source.code).toBe(2);
    expect(source.stderr).toContain("--stream");
    expect(source.stderr.trim().split("\n")).toHaveLength(1);
  });
});
