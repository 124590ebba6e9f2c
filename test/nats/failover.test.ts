import { randomUUID } from "node:crypto";
import { connect as natsConnect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNatsEventStream, type NatsEventStream } from "../../src/adapters/nats/index.js";
import { isConnectionError, isWrongExpectedRevisionError } from "../../src/core/errors.js";
import type { RecordedEvent } from "../../src/core/event.js";
import { startNatsCluster, type NatsCluster } from "./cluster.js";

/**
 * A three-node cluster this test starts itself, a stream with 3 replicas, and the stream's leader
 * killed (SIGKILL) while 10 writers append and a `$all` subscriber reads.
 */
const WRITERS = 10;
const APPENDS_PER_WRITER = 24;
/** The leader is killed once every writer has had this many appends acknowledged. */
const KILL_AFTER = 8;

let cluster: NatsCluster;
let store: NatsEventStream;
const streamName = `failover_${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  cluster = await startNatsCluster(3);
  // A short request timeout: an append sent to the dead leader gives up after 1 s, not 5.
  store = createNatsEventStream({ connection: `${cluster.url}?stream=${streamName}&replicas=3&timeoutMs=1000` });
}, 30_000);

afterAll(async () => {
  await store?.close();
  await cluster?.stop();
});

async function streamLeader(): Promise<string> {
  const nc = await natsConnect({ servers: cluster.url.replace("nats://", "").split(",") });
  try {
    const info = await (await jetstreamManager(nc)).streams.info(streamName);
    return info.cluster!.leader!;
  } finally {
    await nc.close();
  }
}

interface Failure {
  readonly writer: number;
  readonly id: string;
  readonly outcomeUnknown: boolean;
  /** Whether the event was stored when the writer looked after the failure (before retrying). */
  stored?: boolean;
}

describe("NATS cluster failover (3 nodes, stream with 3 replicas)", () => {
  it("concurrent appends at one expected revision: exactly one is stored (nats-server #4320 worked around)", async () => {
    const stream = `race-${randomUUID().slice(0, 8)}`;
    await store.append(stream, [{ type: "First", data: {} }]);
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => store.append(stream, [{ type: "Racer", data: { i } }], { expectedRevision: 0n })),
    );
    const stored = results.filter((r) => r.status === "fulfilled");
    expect(stored.length).toBe(1);
    for (const r of results) if (r.status === "rejected") expect(isWrongExpectedRevisionError(r.reason)).toBe(true);
    const revisions: bigint[] = [];
    for await (const event of store.read(stream)) revisions.push(event.revision);
    expect(revisions).toEqual([0n, 1n]);
  }, 30_000);

  it("loses no acknowledged append, stores none twice, and the $all subscriber resumes without a gap", async () => {
    const setup = await store.append("setup-0", [{ type: "Setup", data: {} }]);
    const leader = await streamLeader();

    // Everything after the setup event: exactly the writers' events.
    const seen: RecordedEvent[] = [];
    const subscription = store.subscribe("$all", { from: setup.position!, retry: { initialDelayMs: 50, maxDelayMs: 500 } });
    const reading = (async () => {
      for await (const event of subscription) {
        seen.push(event);
        if (seen.length === WRITERS * APPENDS_PER_WRITER) return;
      }
    })();

    const acknowledged = new Map<string, bigint>(); // id → revision
    const failures: Failure[] = [];
    let progressed = 0;
    let killedAt = 0;
    let firstAfterKill = 0;
    let killing: Promise<void> | undefined;
    const kill = () => {
      killedAt = performance.now();
      return cluster.kill(leader);
    };

    const writer = async (w: number) => {
      const stream = `writer${w}-1`;
      for (let n = 0; n < APPENDS_PER_WRITER; n++) {
        const id = randomUUID();
        const expectedRevision = n === 0 ? ("no_stream" as const) : BigInt(n - 1);
        for (;;) {
          try {
            const result = await store.append(stream, [{ id, type: "Written", data: { w, n } }], { expectedRevision });
            expect(result.nextExpectedRevision).toBe(BigInt(n));
            acknowledged.set(id, result.nextExpectedRevision);
            if (killedAt > 0 && firstAfterKill === 0) firstAfterKill = performance.now();
            break;
          } catch (error) {
            if (isWrongExpectedRevisionError(error)) throw error; // each writer owns its stream: never a conflict
            if (!isConnectionError(error)) throw error;
            const failure: Failure = { writer: w, id, outcomeUnknown: error.outcomeUnknown };
            failures.push(failure);
            // A refusal that says nothing was stored must be right: look before retrying.
            if (!failure.outcomeUnknown) failure.stored = await storedIds(stream).then((ids) => ids.includes(id));
            await new Promise((r) => setTimeout(r, 100));
          }
        }
        if (n + 1 === KILL_AFTER && ++progressed === WRITERS) killing = kill();
      }
    };
    await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
    await killing;
    const failoverMs = Math.round(firstAfterKill - killedAt);

    // Every acknowledged append is stored exactly once, at its revision.
    const all = await readAllRetrying();
    const written = all.filter((e) => e.type === "Written");
    expect(written.length).toBe(WRITERS * APPENDS_PER_WRITER);
    expect(new Set(written.map((e) => e.id)).size).toBe(written.length);
    for (const event of written) expect(acknowledged.get(event.id)).toBe(event.revision);
    for (let w = 0; w < WRITERS; w++) {
      const revisions = written.filter((e) => e.streamId === `writer${w}-1`).map((e) => e.revision);
      expect(revisions).toEqual(Array.from({ length: APPENDS_PER_WRITER }, (_, i) => BigInt(i)));
    }

    // Appends during the election failed, and none that said "not stored" was stored.
    expect(failures.length).toBeGreaterThan(0);
    for (const failure of failures.filter((f) => !f.outcomeUnknown)) expect(failure.stored).toBe(false);

    // The subscriber saw every event once, in the global order, across the election.
    await Promise.race([reading, new Promise((_, reject) => setTimeout(() => reject(new Error(`subscriber has ${seen.length} events`)), 20_000))]);
    await subscription.close();
    expect(seen.map((e) => e.id)).toEqual(written.map((e) => e.id));

    console.log(
      `NATS failover: leader ${leader} killed; first append acknowledged ${failoverMs} ms later; ` +
        `${failures.length} failed attempts (${failures.filter((f) => f.outcomeUnknown).length} with outcomeUnknown), all retried with the same ids`,
    );
  }, 90_000);
});

/** Right after a crash, JetStream API requests (a consumer for the read) can time out for a while. */
async function readAllRetrying(): Promise<RecordedEvent[]> {
  const reader = createNatsEventStream({ connection: `${cluster.url}?stream=${streamName}` });
  const started = performance.now();
  try {
    for (;;) {
      try {
        const all: RecordedEvent[] = [];
        for await (const event of reader.readAll()) all.push(event);
        if (performance.now() - started > 1_000) console.log(`NATS failover: readAll answered after ${Math.round(performance.now() - started)} ms`);
        return all;
      } catch (error) {
        if (!isConnectionError(error)) throw error;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } finally {
    await reader.close();
  }
}

async function storedIds(stream: string): Promise<string[]> {
  for (;;) {
    try {
      const ids: string[] = [];
      for await (const event of store.read(stream, { direction: "backwards", maxCount: 2n })) ids.push(event.id);
      return ids;
    } catch (error) {
      if (!isConnectionError(error)) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
