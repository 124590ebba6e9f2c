// The in-process API of switchyard-events/servers: the URL works with connect(), stop/restart
// keep the data, and a new server on the same dataDir has the old one's state (the journal's
// replay: tombstones, soft deletes, positions and idempotent retries included).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventStoreDBClient, jsonEvent, START, StreamDeletedError, type AllStreamResolvedEvent } from "@eventstore/db-client";
import { afterAll, describe, expect, it } from "vitest";
import { connect } from "../../src/connect.js";
import { startEnsignServer, startEventStoreDBCluster, startEventStoreDBServer } from "../../src/servers/index.js";

const directories: string[] = [];
const freshDir = (label: string) => {
  const directory = mkdtempSync(join(tmpdir(), `switchyard-${label}-`));
  directories.push(directory);
  return directory;
};
afterAll(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

describe("startEventStoreDBCluster", () => {
  it("serves connect() by its multi-host url; a leader change moves the writes; nodes stop and restart", async () => {
    const cluster = await startEventStoreDBCluster();
    const store = await connect(cluster.url);
    try {
      expect(cluster.url).toBe(`esdb://${cluster.nodes.map((node) => `127.0.0.1:${node.port}`).join(",")}?tls=false`);
      expect(cluster.nodes.map((node) => node.state)).toEqual(["leader", "follower", "follower"]);
      await store.append("cart-1", [{ type: "Added", data: {} }]);
      cluster.electLeader();
      expect([cluster.leader, cluster.nodes[1]!.state, cluster.nodes[0]!.state]).toEqual([1, "leader", "follower"]);
      await store.append("cart-1", [{ type: "Added", data: {} }], { expectedRevision: 0n });
      await cluster.nodes[2]!.stop();
      expect(cluster.nodes[2]!.running).toBe(false);
      await cluster.nodes[2]!.restart();
      const single = await connect(cluster.nodes[2]!.url);
      const revisions: bigint[] = [];
      for await (const event of single.read("cart-1")) revisions.push(event.revision);
      await single.close();
      expect(revisions).toEqual([0n, 1n]);
    } finally {
      await store.close();
      await cluster.close();
    }
  });
});

describe("startEventStoreDBServer", () => {
  it("serves connect() by its url; after stop() and restart() the data is back", async () => {
    const server = await startEventStoreDBServer();
    const store = await connect(server.url);
    await store.append("cart-1", [{ type: "Added", data: { sku: "a" } }]);
    await store.close();
    await server.stop();
    await server.restart();
    const again = await connect(server.url);
    try {
      const types: string[] = [];
      for await (const event of again.read("cart-1")) types.push(event.type);
      expect(types).toEqual(["Added"]);
    } finally {
      await again.close();
      await server.close();
    }
  });

  it("a new server on the same dataDir has the log: streams, deletes, tombstones, positions, event ids", async () => {
    const dataDir = freshDir("esdb-dir");
    const first = await startEventStoreDBServer({ dataDir });
    const client = EventStoreDBClient.connectionString(first.connectionString);
    const retried = jsonEvent({ type: "Paid", data: {} });
    await client.appendToStream("pay-1", [retried]);
    await client.appendToStream("gone-1", jsonEvent({ type: "X", data: {} }));
    await client.tombstoneStream("gone-1");
    await client.appendToStream("soft-1", jsonEvent({ type: "X", data: {} }));
    await client.deleteStream("soft-1");
    const before = await all(client);
    await client.dispose();
    await first.close();

    const second = await startEventStoreDBServer({ dataDir });
    const again = EventStoreDBClient.connectionString(second.connectionString);
    try {
      expect(await all(again)).toEqual(before);
      // The same event id appended again is an idempotent retry, as on the first server.
      const retry = await again.appendToStream("pay-1", [retried]);
      expect(retry.nextExpectedRevision).toBe(0n);
      await expect(again.appendToStream("gone-1", jsonEvent({ type: "X", data: {} }))).rejects.toBeInstanceOf(StreamDeletedError);
      const recreated = await again.appendToStream("soft-1", jsonEvent({ type: "Y", data: {} }));
      expect(recreated.nextExpectedRevision).toBe(1n);
      expect((await all(again)).length).toBeGreaterThan(before.length);
    } finally {
      await again.dispose();
      await second.close();
    }
  });
});

async function all(client: EventStoreDBClient): Promise<string[]> {
  const out: string[] = [];
  for await (const resolved of client.readAll({ fromPosition: START }) as AsyncIterable<AllStreamResolvedEvent>) {
    const event = resolved.event!;
    out.push(`${event.position?.commit}:${event.streamId}@${event.revision}:${event.type}:${event.id}`);
  }
  return out;
}

describe("startEnsignServer", () => {
  it("serves connect() by its url (with the API key); a new server on the dataDir keeps key, project and events", async () => {
    const dataDir = freshDir("ensign-dir");
    const first = await startEnsignServer({ dataDir });
    const store = await connect(first.url);
    await store.append("ticket-1", [{ type: "Opened", data: { n: 1 } }]);
    await store.close();
    await first.close();

    const second = await startEnsignServer({ dataDir });
    expect([second.clientId, second.clientSecret, second.projectId]).toEqual([first.clientId, first.clientSecret, first.projectId]);
    const again = await connect(second.url);
    try {
      const events = [];
      for await (const event of again.read("ticket-1")) events.push([event.type, event.data]);
      expect(events).toEqual([["Opened", { n: 1 }]]);
    } finally {
      await again.close();
      await second.close();
    }
  });
});
