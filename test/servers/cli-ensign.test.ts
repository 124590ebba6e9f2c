// `switchyard serve ensign` in a child process, used by this project's Ensign client through
// connect(url); with --data-dir a second process on the same directory has the first one's
// events, topics and API key.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../src/connect.js";
import type { EventStream } from "../../src/core/event-stream.js";
import { serve, type ServeProcess } from "./cli-process.js";

async function typesOf(store: EventStream, stream: string): Promise<string[]> {
  const types: string[] = [];
  for await (const event of store.read(stream)) types.push(event.type);
  return types;
}

describe("switchyard serve ensign", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "switchyard-serve-ensign-"));
  let server: ServeProcess;

  beforeAll(async () => {
    server = await serve(["ensign", "--port", "0", "--auth-port", "0", "--data-dir", dataDir]);
    console.log(`[figures] serve ensign: ready ${server.spawnToReadyMs} ms after spawn, server start ${server.details.startupMs} ms`);
  });

  afterAll(async () => {
    if (server.child.exitCode === null) await server.interrupt();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("prints a URL for connect() carrying the API key, and the key itself", () => {
    const url = new URL(server.details.url);
    expect(url.protocol).toBe("ensign:");
    expect(url.searchParams.get("clientId")).toBe(server.details["clientId"]);
    expect(url.searchParams.get("authUrl")).toBe(server.details["authUrl"]);
  });

  it("the Ensign client appends and reads; after Ctrl-C and a new process on the data dir, the events are there", async () => {
    const first = await connect(server.details.url);
    await first.append("order-1", [
      { type: "OrderPlaced", data: { total: 3 } },
      { type: "OrderShipped", data: {} },
    ]);
    expect(await typesOf(first, "order-1")).toEqual(["OrderPlaced", "OrderShipped"]);
    await first.close();
    const firstKey = server.details["clientId"];
    expect(await server.interrupt()).toBe(0);

    server = await serve(["ensign", "--port", "0", "--auth-port", "0", "--data-dir", dataDir]);
    expect(server.details["clientId"]).toBe(firstKey);
    const second = await connect(server.details.url);
    try {
      expect(await typesOf(second, "order-1")).toEqual(["OrderPlaced", "OrderShipped"]);
      await second.append("order-1", [{ type: "OrderClosed", data: {} }]);
      expect(await typesOf(second, "order-1")).toEqual(["OrderPlaced", "OrderShipped", "OrderClosed"]);
    } finally {
      await second.close();
    }
  });
});
