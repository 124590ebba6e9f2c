/**
 * Faults on a throwaway cluster: a restart under a subscriber, appends while the server is down
 * or dies mid-append, and a writer killed between two appends.
 */
import { spawn } from "node:child_process";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresEventStream, type PostgresEventStream } from "../../src/adapters/postgres/index.js";
import { isConnectionError, type ConnectionError, type RecordedEvent } from "../../src/index.js";
import { startCluster, type Cluster } from "./cluster.js";

let cluster: Cluster;
let store: PostgresEventStream;
const events = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ type: "e", data: { i: from + i } }));

beforeAll(async () => {
  cluster = await startCluster();
  store = createPostgresEventStream({ connection: `${cluster.url}?schema=faults&pollIntervalMs=200&connectionTimeoutMs=2000` });
  await store.migrate();
}, 60_000);

afterAll(async () => {
  await store?.close();
  cluster?.destroy();
});

async function appendWhenBack(stream: string, batch: ReturnType<typeof events>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await store.append(stream, batch);
      return;
    } catch (error) {
      if (!isConnectionError(error) || attempt > 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

describe("postgres faults", () => {
  it("a restart mid-subscription resumes with no gap and no duplicate", async () => {
    const stream = "restart-1";
    await store.append(stream, events(0, 20));
    const received: RecordedEvent[] = [];
    let reconnects = 0;
    const subscription = store.subscribe({ all: true, filter: { streamPrefixes: ["restart-"] } }, {
      retry: { initialDelayMs: 100, maxDelayMs: 500 },
      onReconnect: () => reconnects++,
    });
    const collecting = (async () => {
      for await (const event of subscription) {
        received.push(event);
        if (received.length === 40) break;
      }
    })();
    await subscription.caughtUp;
    cluster.stop("fast");
    cluster.start();
    await appendWhenBack(stream, events(20, 20));
    await collecting;
    expect(received.map((e) => (e.data as { i: number }).i)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    console.info(`restart: 40 of 40 events, ${reconnects} reconnect(s)`);
  }, 30_000);

  it("an append while the server is down fails with a ConnectionError whose outcome is known (never sent)", async () => {
    await store.append("outage-1", events(0, 1));
    cluster.stop("fast");
    try {
      const error = (await store.append("outage-1", events(1, 1)).catch((e: unknown) => e)) as ConnectionError;
      expect(isConnectionError(error), String(error)).toBe(true);
      expect(error.outcomeUnknown).toBe(false);
    } finally {
      cluster.start();
    }
    const stored = [];
    for await (const event of store.read("outage-1")) stored.push(event);
    expect(stored.length).toBe(1);
  }, 30_000);

  it("a server that dies while an append waits leaves its outcome unknown", async () => {
    await appendWhenBack("dies-1", events(0, 1));
    // Another session holds the stream row, so the append is sent and waits inside the server.
    const blocker = new pg.Client({ connectionString: cluster.url });
    blocker.on("error", () => undefined);
    await blocker.connect();
    await blocker.query("BEGIN");
    await blocker.query("SELECT 1 FROM faults.streams WHERE stream_id = 'dies-1' FOR UPDATE");
    const pending = store.append("dies-1", events(1, 1)).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 300));
    cluster.stop("immediate");
    const error = (await pending) as ConnectionError;
    cluster.start();
    await blocker.end().catch(() => undefined);
    expect(isConnectionError(error), String(error)).toBe(true);
    expect(error.outcomeUnknown).toBe(true);
  }, 30_000);

  it("a writer killed between two appends loses nothing it was told was stored", async () => {
    const stream = "killed-1";
    const child = spawn(process.execPath, ["--import", "tsx", "test/postgres/append-child.ts", `${cluster.url}?schema=faults`, stream], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const acknowledged: bigint[] = [];
    await new Promise<void>((resolve) => {
      child.stdout.on("data", (chunk: Buffer) => {
        for (const line of chunk.toString().split("\n").filter(Boolean)) acknowledged.push(BigInt(line));
        if (acknowledged.length >= 50 && !child.killed) {
          child.kill("SIGKILL");
          resolve();
        }
      });
    });
    await new Promise((resolve) => child.once("exit", resolve));
    const stored: RecordedEvent[] = [];
    for await (const event of store.read(stream)) stored.push(event);
    const last = acknowledged[acknowledged.length - 1]!;
    expect(stored.length).toBeGreaterThanOrEqual(acknowledged.length);
    expect(stored.every((e, i) => e.revision === BigInt(i))).toBe(true);
    expect(stored[stored.length - 1]!.revision >= last).toBe(true);
    console.info(`killed writer: ${acknowledged.length} acknowledged, ${stored.length} stored`);
  }, 30_000);
});
