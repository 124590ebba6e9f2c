import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  NotFoundError,
  StreamNotFoundError,
  UnknownError,
  jsonEvent,
  type ResolvedEvent,
} from "@eventstore/db-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEventStoreEmulator, type EventStoreEmulator } from "../../../src/servers/eventstoredb/index.js";
import { collect, thrown, waitFor } from "./test-support.js";

let esdb: EventStoreEmulator;
let client: EventStoreDBClient;

beforeAll(async () => {
  esdb = await startEventStoreEmulator({ runProjections: "system" });
  client = EventStoreDBClient.connectionString(esdb.connectionString);
});

afterAll(async () => {
  await client?.dispose();
  await esdb?.close();
});

const SYSTEM_PROJECTIONS = ["$streams", "$stream_by_category", "$by_category", "$by_event_type", "$by_correlation_id"];

/** A category no other test uses (letters only: the category ends at the first dash). */
const newCategory = () => `c${randomUUID().replaceAll("-", "").slice(0, 12)}`;
const event = (type = "Placed", data: Record<string, unknown> = {}, metadata?: Record<string, unknown>) =>
  jsonEvent({ type, data, metadata });

async function readOrEmpty(stream: string, options: Parameters<EventStoreDBClient["readStream"]>[1] = {}) {
  try {
    return await collect<ResolvedEvent>(client.readStream(stream, options));
  } catch (error) {
    if (error instanceof StreamNotFoundError) return [];
    throw error;
  }
}

/** Polls a stream until it holds `count` events (the projections write shortly after the append). */
async function waitForStream(stream: string, count: number, options: Parameters<EventStoreDBClient["readStream"]>[1] = {}) {
  let events: ResolvedEvent[] = [];
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    events = await readOrEmpty(stream, options);
    if (events.length >= count) return events;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${stream} has ${events.length} events, expected ${count}`);
}

/** The client hands JSON metadata over parsed (key order kept). */
const linkMetadataOf = (resolved: ResolvedEvent) => resolved.link!.metadata as unknown as Record<string, unknown>;

// The system projections are enabled once for the file: every test uses its own categories.
beforeAll(async () => {
  for (const name of ["$by_category", "$by_event_type", "$streams", "$stream_by_category"]) {
    await client.enableProjection(name);
  }
});

describe("the Projections service", () => {
  it("lists the five system projections, running once enabled", async () => {
    const listed = await client.listProjections();
    expect(listed.map((projection) => projection.name).sort()).toEqual([...SYSTEM_PROJECTIONS].sort());
    const byName = new Map(listed.map((projection) => [projection.name, projection]));
    expect(byName.get("$by_category")?.status).toBe("Running");
    expect(byName.get("$by_correlation_id")?.status).toBe("Stopped");
  });

  it("reports statistics and an empty state for a system projection", async () => {
    const status = await client.getProjectionStatus("$by_category");
    expect(status.name).toBe("$by_category");
    expect(status.projectionStatus).toBe("Running");
    expect(status.position).toMatch(/^C:\d+\/P:\d+$/);
    expect(await client.getProjectionState("$by_category")).toEqual({});
  });

  it("answers NOT_FOUND for an unknown projection", async () => {
    expect(await thrown(() => client.getProjectionStatus("nope"))).toBeInstanceOf(NotFoundError);
    expect(await thrown(() => client.enableProjection("nope"))).toBeInstanceOf(NotFoundError);
    expect(await thrown(() => client.getProjectionState("nope"))).toBeInstanceOf(NotFoundError);
  });

  it("refuses to delete a system projection, as the server's manager does", async () => {
    const error = await thrown(() => client.deleteProjection("$by_category"));
    expect(error).toBeInstanceOf(UnknownError);
    expect(String((error as Error).message)).toContain("OperationFailed");
  });

  it("refuses user-defined JavaScript projections with UNIMPLEMENTED", async () => {
    const error = await thrown(() => client.createProjection("mine", "fromAll().when({})"));
    expect(error).toBeInstanceOf(UnknownError);
    expect((error as { code?: number }).code).toBe(12);
    expect(String((error as Error).message)).toContain("User-defined projections are not supported");
  });
});

describe("$by_category", () => {
  it("links every event of a category into $ce-<category>, with the server's metadata", async () => {
    const category = newCategory();
    const first = await client.appendToStream(`${category}-1`, [event("A"), event("B")]);
    await client.appendToStream(`${category}-2`, [event("C", {}, { $correlationId: "corr-1" })]);
    const links = await waitForStream(`$ce-${category}`, 3, { resolveLinkTos: true });
    expect(links.map((resolved) => resolved.event?.type)).toEqual(["A", "B", "C"]);
    expect(links.map((resolved) => resolved.event?.streamId)).toEqual([`${category}-1`, `${category}-1`, `${category}-2`]);
    const link = links[0]!.link!;
    expect(link.type).toBe("$>");
    expect(link.streamId).toBe(`$ce-${category}`);
    expect(link.isJson).toBe(false);
    expect(Buffer.from(link.data as Uint8Array).toString()).toBe(`0@${category}-1`);
    // The link is written after the event it points to.
    expect(link.position!.commit).toBeGreaterThan(links[0]!.event!.position!.commit);
    const metadata = linkMetadataOf(links[0]!);
    expect(Object.keys(metadata)).toEqual(["$v", "$c", "$p", "$o", "$causedBy"]);
    // <projection id>:<epoch>:<version>:<subsystem version>: $by_category is the third registered
    // projection, a new one has epoch -1, and enabling it wrote its second state record.
    expect(metadata.$v).toBe("3:-1:1:4");
    expect(BigInt(metadata.$c as number)).toBe(links[0]!.event!.position!.commit);
    expect(metadata.$o).toBe(`${category}-1`);
    expect(metadata.$causedBy).toBe(links[0]!.event!.id);
    expect(linkMetadataOf(links[2]!).$correlationId).toBe("corr-1");
    expect(first.nextExpectedRevision).toBe(1n);
  });

  it("reads $ce- streams backwards, and unresolved without resolveLinkTos", async () => {
    const category = newCategory();
    await client.appendToStream(`${category}-1`, [event("A"), event("B"), event("C")]);
    await waitForStream(`$ce-${category}`, 3);
    const backwards = await collect<ResolvedEvent>(
      client.readStream(`$ce-${category}`, { direction: BACKWARDS, fromRevision: END, resolveLinkTos: true }),
    );
    expect(backwards.map((resolved) => resolved.event?.type)).toEqual(["C", "B", "A"]);
    const raw = await collect<ResolvedEvent>(client.readStream(`$ce-${category}`));
    expect(raw.map((resolved) => resolved.event?.type)).toEqual(["$>", "$>", "$>"]);
    expect(raw.every((resolved) => resolved.link === undefined)).toBe(true);
  });

  it("gives the emitted stream read access for everyone in its metastream", async () => {
    const category = newCategory();
    await client.appendToStream(`${category}-1`, [event()]);
    await waitForStream(`$ce-${category}`, 1);
    const metadata = await client.getStreamMetadata(`$ce-${category}`);
    expect(metadata.metadata?.acl).toEqual({ readRoles: "$all", metaReadRoles: "$all" });
  });

  it("links a stream's deletion, marked with $deleted", async () => {
    const category = newCategory();
    await client.appendToStream(`${category}-1`, [event("A")]);
    await client.deleteStream(`${category}-1`);
    const links = await waitForStream(`$ce-${category}`, 2);
    const metadata = links[1]!.event!.metadata as unknown as Record<string, unknown>;
    expect(metadata.$o).toBe(`${category}-1`);
    expect(metadata.$deleted).toBe(-1);
    expect(Buffer.from(links[1]!.event!.data as Uint8Array).toString()).toMatch(new RegExp(`^\\d+@\\$\\$${category}-1$`));
  });

  it("feeds catch-up subscriptions to $ce- streams: history, then live", async () => {
    const category = newCategory();
    await client.appendToStream(`${category}-1`, [event("H1"), event("H2")]);
    await waitForStream(`$ce-${category}`, 2);
    const subscription = client.subscribeToStream(`$ce-${category}`, { resolveLinkTos: true });
    const seen: string[] = [];
    subscription.on("data", (resolved: ResolvedEvent) => seen.push(`${resolved.event?.type}<-${resolved.link?.type}`));
    await waitFor(() => seen.length === 2, 5_000, "history");
    await client.appendToStream(`${category}-2`, [event("L1")]);
    await waitFor(() => seen.length === 3, 5_000, "live link");
    await subscription.unsubscribe();
    expect(seen).toEqual(["H1<-$>", "H2<-$>", "L1<-$>"]);
  });
});

describe("$by_event_type, $streams and $stream_by_category", () => {
  it("$by_event_type links every event into $et-<type>", async () => {
    const type = `T${randomUUID().replaceAll("-", "")}`;
    const category = newCategory();
    await client.appendToStream(`${category}-1`, [event(type), event("Other"), event(type)]);
    const links = await waitForStream(`$et-${type}`, 2, { resolveLinkTos: true });
    expect(links.map((resolved) => resolved.event?.revision)).toEqual([0n, 2n]);
    expect(Object.keys(linkMetadataOf(links[0]!))).toEqual(["$v", "$c", "$p", "$causedBy"]);
  });

  it("$streams links the first event of every new stream", async () => {
    const category = newCategory();
    await client.appendToStream(`${category}-1`, [event("A"), event("B")]);
    await client.appendToStream(`${category}-2`, [event("C")]);
    const deadline = Date.now() + 5_000;
    let mine: ResolvedEvent[] = [];
    while (Date.now() < deadline && mine.length < 2) {
      const all = await readOrEmpty("$streams", { direction: BACKWARDS, fromRevision: END, maxCount: 50 });
      mine = all.filter((resolved) => Buffer.from(resolved.event!.data as Uint8Array).toString().includes(category));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(mine.map((resolved) => Buffer.from(resolved.event!.data as Uint8Array).toString()).reverse()).toEqual([
      `0@${category}-1`,
      `0@${category}-2`,
    ]);
  });

  it("$stream_by_category writes a $@ reference per new stream into $category-<category>", async () => {
    const category = newCategory();
    await client.appendToStream(`${category}-1`, [event(), event()]);
    await client.appendToStream(`${category}-2`, [event()]);
    const references = await waitForStream(`$category-${category}`, 2);
    expect(references.map((resolved) => resolved.event?.type)).toEqual(["$@", "$@"]);
    expect(references.map((resolved) => Buffer.from(resolved.event!.data as Uint8Array).toString())).toEqual([
      `${category}-1`,
      `${category}-2`,
    ]);
  });
});

describe("enable, disable, reset", () => {
  it("catches up on the history when enabled, and stops emitting when disabled", async () => {
    const server = await startEventStoreEmulator({ runProjections: "system" });
    const local = EventStoreDBClient.connectionString(server.connectionString);
    try {
      await local.appendToStream("hist-1", [event("A"), event("B")]);
      await local.appendToStream("hist-2", [event("C")]);
      expect((await local.getProjectionStatus("$by_category")).projectionStatus).toBe("Stopped");
      await expect(collect(local.readStream("$ce-hist"))).rejects.toBeInstanceOf(StreamNotFoundError);

      await local.enableProjection("$by_category");
      await waitFor(() => (server.store.readableEvents("$ce-hist")?.length ?? 0) === 3, 5_000, "history links");
      const linked = await collect<ResolvedEvent>(local.readStream("$ce-hist", { resolveLinkTos: true }));
      expect(linked.map((resolved) => resolved.event?.type)).toEqual(["A", "B", "C"]);

      await local.disableProjection("$by_category");
      expect((await local.getProjectionStatus("$by_category")).projectionStatus).toBe("Stopped");
      await local.appendToStream("hist-1", [event("D")]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(server.store.readableEvents("$ce-hist")?.length).toBe(3);

      // Enabling again resumes after the checkpoint written on disable: no duplicates.
      await local.enableProjection("$by_category");
      await waitFor(() => server.store.readableEvents("$ce-hist")?.length === 4, 5_000, "resumed link");
      const after = await collect<ResolvedEvent>(local.readStream("$ce-hist", { resolveLinkTos: true }));
      expect(after.map((resolved) => resolved.event?.type)).toEqual(["A", "B", "C", "D"]);
    } finally {
      await local.dispose();
      await server.close();
    }
  });

  it("reset starts a new epoch: the stream is re-emitted and the old links hidden by $tb", async () => {
    const server = await startEventStoreEmulator({ runProjections: "system", startStandardProjections: true });
    const local = EventStoreDBClient.connectionString(server.connectionString);
    try {
      await local.appendToStream("reset-1", [event("A"), event("B")]);
      await waitFor(() => server.store.readableEvents("$ce-reset")?.length === 2, 5_000, "first epoch");
      await local.resetProjection("$by_category");
      await waitFor(() => server.store.lastEventNumber("$ce-reset") === 3n, 5_000, "second epoch");
      const links = await collect<ResolvedEvent>(local.readStream("$ce-reset", { resolveLinkTos: true }));
      expect(links.map((resolved) => [resolved.link?.revision, resolved.event?.type])).toEqual([
        [2n, "A"],
        [3n, "B"],
      ]);
      const status = await local.getProjectionStatus("$by_category");
      // Enabled at start (state record 1), reset (record 2): the new epoch is that record's number.
      expect([status.epoch, status.version]).toEqual([2n, 2n]);
      const link = links[0]!.link!.metadata as unknown as Record<string, unknown>;
      expect(link.$v).toBe("3:2:2:4");
    } finally {
      await local.dispose();
      await server.close();
    }
  });

  it("with a data directory, a new server resumes where the last one stopped, without duplicates", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "switchyard-esdb-projections-"));
    try {
      const first = await startEventStoreEmulator({ runProjections: "system", dataDir });
      const firstClient = EventStoreDBClient.connectionString(first.connectionString);
      await firstClient.enableProjection("$by_category");
      await firstClient.appendToStream("kept-1", [event("A"), event("B")]);
      await waitFor(() => first.store.readableEvents("$ce-kept")?.length === 2, 5_000, "first links");
      await firstClient.dispose();
      await first.close();

      const second = await startEventStoreEmulator({ runProjections: "system", dataDir });
      const secondClient = EventStoreDBClient.connectionString(second.connectionString);
      try {
        expect((await secondClient.getProjectionStatus("$by_category")).projectionStatus).toBe("Running");
        await secondClient.appendToStream("kept-1", [event("C")]);
        await waitFor(() => second.store.readableEvents("$ce-kept")?.length === 3, 5_000, "resumed links");
        await new Promise((resolve) => setTimeout(resolve, 50));
        const links = await collect<ResolvedEvent>(secondClient.readStream("$ce-kept", { resolveLinkTos: true }));
        expect(links.map((resolved) => resolved.event?.type)).toEqual(["A", "B", "C"]);
      } finally {
        await secondClient.dispose();
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("startStandardProjections runs every system projection from the start", async () => {
    const server = await startEventStoreEmulator({ runProjections: "system", startStandardProjections: true });
    const local = EventStoreDBClient.connectionString(server.connectionString);
    try {
      const listed = await local.listProjections();
      expect(listed.map((projection) => projection.status)).toEqual(SYSTEM_PROJECTIONS.map(() => "Running"));
    } finally {
      await local.dispose();
      await server.close();
    }
  });

  it("without runProjections there is no Projections service (UNIMPLEMENTED), as on the real server", async () => {
    const server = await startEventStoreEmulator();
    const local = EventStoreDBClient.connectionString(server.connectionString);
    try {
      const error = await thrown(() => local.listProjections());
      expect((error as { code?: number }).code).toBe(12);
      await local.appendToStream("none-1", [event()]);
      await expect(collect(local.readStream("$ce-none"))).rejects.toBeInstanceOf(StreamNotFoundError);
    } finally {
      await local.dispose();
      await server.close();
    }
  });
});
