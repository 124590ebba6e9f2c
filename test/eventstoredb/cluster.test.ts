// The adapter against the server's three-node mode: discovery through a multi-host URL, node
// preference, and leader changes (writes redirected to the new leader; appends caught in flight
// fail with an unknown outcome, every acknowledged append is there afterwards).
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { connect } from "../../src/connect.js";
import { isConnectionError, type ConnectionError } from "../../src/core/errors.js";
import type { EventStream } from "../../src/core/event-stream.js";
import { startEventStoreCluster, type EventStoreCluster } from "../../src/servers/eventstoredb/cluster.js";
import { collect, uniqueStream, waitFor } from "./support.js";

const APPEND = "/event_store.client.streams.Streams/Append";
const READ = "/event_store.client.streams.Streams/Read";

let cluster: EventStoreCluster;
const stores: EventStream[] = [];
async function connected(url: string): Promise<EventStream> {
  const store = await connect(url);
  stores.push(store);
  return store;
}

beforeAll(async () => {
  cluster = await startEventStoreCluster();
});
afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  await cluster.close();
});
beforeEach(() => {
  if (cluster.leader !== 0) cluster.electLeader(0);
});

const served = (index: number, path: string) => cluster.nodes[index]!.callsServed(path);

describe("EventStoreDB adapter on a three-node cluster", () => {
  it("a multi-host URL discovers the leader, which serves the appends", async () => {
    const store = await connected(cluster.connectionString);
    const stream = uniqueStream("cl");
    const before = served(0, APPEND);
    await store.append(stream, [{ type: "Opened", data: { n: 1 } }]);
    expect(served(0, APPEND)).toBe(before + 1);
    expect((await collect(store.read(stream))).map((e) => e.type)).toEqual(["Opened"]);
  });

  it("nodePreference=follower reads from a follower, and its writes are forwarded to the log", async () => {
    const store = await connected(`${cluster.connectionString}&nodePreference=follower`);
    const stream = uniqueStream("cl");
    const followerReads = () => served(1, READ) + served(2, READ);
    const [leaderReads, before] = [served(0, READ), followerReads()];
    await store.append(stream, [{ type: "Opened", data: {} }]);
    expect((await collect(store.read(stream))).map((e) => e.type)).toEqual(["Opened"]);
    expect(followerReads()).toBeGreaterThan(before);
    expect(served(0, READ)).toBe(leaderReads);
    expect(cluster.store.lastEventNumber(stream)).toBe(0n);
  });

  it("after a leader change, writes are redirected to the new leader (the old one refuses them with NotLeader)", async () => {
    const store = await connected(cluster.connectionString);
    const stream = uniqueStream("cl");
    await store.append(stream, [{ type: "First", data: {} }]);
    cluster.electLeader(2);
    const [oldLeader, newLeader] = [served(0, APPEND), served(2, APPEND)];
    await store.append(stream, [{ type: "Second", data: {} }], { expectedRevision: 0n });
    // Refused once by the old leader (NotLeader, nothing written), then stored by the new one.
    expect(served(0, APPEND)).toBe(oldLeader + 1);
    expect(served(2, APPEND)).toBe(newLeader + 1);
    await store.delete(stream, { expectedRevision: 1n });
    expect(served(2, "/event_store.client.streams.Streams/Delete")).toBe(1);
  });

  it("a leader change during appends: every acknowledged append is there, the ones in flight fail with outcomeUnknown", async () => {
    const store = await connected(cluster.connectionString);
    const WRITERS = 3;
    const PER_WRITER = 8;
    const streams = Array.from({ length: WRITERS }, () => uniqueStream("cl"));
    const ids = streams.map(() => Array.from({ length: PER_WRITER }, () => randomUUID()));
    const acknowledged: string[] = [];
    const failures: ConnectionError[] = [];
    let atGate = 0;
    let openGate: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (openGate = resolve));

    const writer = async (w: number) => {
      for (let i = 0; i < PER_WRITER; i++) {
        if (i === 3) {
          atGate++;
          await gate;
        }
        const event = { id: ids[w]![i]!, type: "Step", data: { w, i } };
        try {
          await store.append(streams[w]!, [event]);
        } catch (error) {
          if (!isConnectionError(error)) throw error;
          failures.push(error);
          // The outcome is unknown: the same event id makes the retry safe.
          await store.append(streams[w]!, [event]);
        }
        acknowledged.push(event.id);
      }
    };
    const writing = Promise.all(streams.map((_, w) => writer(w)));
    await waitFor(() => atGate === WRITERS, "the writers to reach the gate");
    cluster.holdAcknowledgements();
    openGate();
    await waitFor(() => cluster.unacknowledged === WRITERS, "one append of each writer in flight");
    cluster.electLeader(1);
    await writing;

    expect(failures).toHaveLength(WRITERS);
    for (const failure of failures) {
      expect(failure.outcomeUnknown).toBe(true);
      expect(failure.message).toContain("may or may not have been stored");
    }
    expect(acknowledged).toHaveLength(WRITERS * PER_WRITER);
    for (const [w, stream] of streams.entries()) {
      const events = await collect(store.read(stream));
      expect(events.map((e) => e.id)).toEqual(ids[w]);
      expect(events.map((e) => e.revision)).toEqual(ids[w]!.map((_, i) => BigInt(i)));
    }
  });
});
