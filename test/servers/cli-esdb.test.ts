// `switchyard serve esdb` in a child process, used by the official @eventstore/db-client; with
// --data-dir a second process on the same directory has the first one's events.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventStoreDBClient, jsonEvent } from "@eventstore/db-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serve, type ServeProcess } from "./cli-process.js";

async function typesOf(client: EventStoreDBClient, stream: string): Promise<string[]> {
  const types: string[] = [];
  for await (const resolved of client.readStream(stream)) types.push(resolved.event!.type);
  return types;
}

describe("switchyard serve esdb", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "switchyard-serve-esdb-"));
  let server: ServeProcess;

  beforeAll(async () => {
    server = await serve(["esdb", "--port", "0", "--data-dir", dataDir]);
    console.log(`[figures] serve esdb: ready ${server.spawnToReadyMs} ms after spawn, server start ${server.details.startupMs} ms`);
  });

  afterAll(async () => {
    if (server.child.exitCode === null) await server.interrupt();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("prints a URL for connect() and the official client's connection string", () => {
    expect(server.details.url).toBe(`esdb://127.0.0.1:${server.details.port}?tls=false`);
    expect(server.details.connectionString).toBe(server.details.url);
  });

  it("the official client appends and reads; after Ctrl-C and a new process on the data dir, the events are there", async () => {
    const first = EventStoreDBClient.connectionString(server.details.connectionString!);
    await first.appendToStream("order-1", [
      jsonEvent({ type: "OrderPlaced", data: { total: 3 } }),
      jsonEvent({ type: "OrderShipped", data: {} }),
    ]);
    expect(await typesOf(first, "order-1")).toEqual(["OrderPlaced", "OrderShipped"]);
    await first.dispose();
    expect(await server.interrupt()).toBe(0);

    server = await serve(["esdb", "--port", "0", "--data-dir", dataDir]);
    const second = EventStoreDBClient.connectionString(server.details.connectionString!);
    try {
      expect(await typesOf(second, "order-1")).toEqual(["OrderPlaced", "OrderShipped"]);
      const next = await second.appendToStream("order-1", jsonEvent({ type: "OrderClosed", data: {} }), { expectedRevision: 1n });
      expect(next.nextExpectedRevision).toBe(2n);
    } finally {
      await second.dispose();
    }
  });
});
