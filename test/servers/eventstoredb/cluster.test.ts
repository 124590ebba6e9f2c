// The three-node mode through the official client: gossip lists three members with their
// states, followers refuse what requires the leader with NotLeader naming it (and forward or
// serve the rest), persistent subscriptions are the leader's, and a leader change on demand
// fails the appends it catches in flight as the server does.
import { createRequire } from "node:module";
import { credentials as grpcCredentials, Metadata, status, type ServiceError } from "@grpc/grpc-js";
import {
  DeadlineExceededError,
  EventStoreDBClient,
  NotLeaderError,
  TimeoutError,
  UnavailableError,
  jsonEvent,
  persistentSubscriptionToStreamSettingsFromDefaults,
} from "@eventstore/db-client";
import type { ClusterInfo } from "@eventstore/db-client/generated/gossip_pb";
import type { DeleteResp } from "@eventstore/db-client/generated/streams_pb";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEventStoreCluster, type EventStoreCluster } from "../../../src/servers/eventstoredb/cluster.js";
import { revisionsOf, thrown, uniqueStream, waitFor } from "./test-support.js";

const load = createRequire(import.meta.url);
const gossipGrpc = load("@eventstore/db-client/generated/gossip_grpc_pb.js") as typeof import("@eventstore/db-client/generated/gossip_grpc_pb");
const streamsGrpc = load("@eventstore/db-client/generated/streams_grpc_pb.js") as typeof import("@eventstore/db-client/generated/streams_grpc_pb");
const streamsPb = load("@eventstore/db-client/generated/streams_pb.js") as typeof import("@eventstore/db-client/generated/streams_pb");
const sharedPb = load("@eventstore/db-client/generated/shared_pb.js") as typeof import("@eventstore/db-client/generated/shared_pb");
const LEADER = 8;
const FOLLOWER = 6;
const STREAMS = "/event_store.client.streams.Streams/";

let cluster: EventStoreCluster;
const clients: EventStoreDBClient[] = [];
const client = (connectionString: string) => {
  const made = EventStoreDBClient.connectionString(connectionString);
  clients.push(made);
  return made;
};

beforeAll(async () => {
  cluster = await startEventStoreCluster();
});
afterAll(async () => {
  await Promise.all(clients.map((made) => made.dispose()));
  await cluster.close();
});
beforeEach(() => {
  if (cluster.leader !== 0) cluster.electLeader(0);
});

async function gossipOf(port: number): Promise<ClusterInfo.AsObject["membersList"]> {
  const raw = new gossipGrpc.GossipClient(`127.0.0.1:${port}`, grpcCredentials.createInsecure());
  try {
    const info = await new Promise<ClusterInfo>((resolve, reject) =>
      raw.read(new sharedPb.Empty(), (error, response) => (error ? reject(error) : resolve(response!))),
    );
    return info.toObject().membersList;
  } finally {
    raw.close();
  }
}

describe("EventStoreDB three-node mode", () => {
  it("gossip on every node lists the three members, their states and end points; a stopped node is dead", async () => {
    const ports = cluster.nodes.map((node) => node.port);
    for (const port of ports) {
      const members = await gossipOf(port);
      expect(members.map((m) => [m.state, m.isAlive, m.httpEndPoint?.address, m.httpEndPoint?.port])).toEqual([
        [LEADER, true, "127.0.0.1", ports[0]],
        [FOLLOWER, true, "127.0.0.1", ports[1]],
        [FOLLOWER, true, "127.0.0.1", ports[2]],
      ]);
      // Instance ids in the server's structured form, one per node.
      expect(new Set(members.map((m) => JSON.stringify(m.instanceId?.structured))).size).toBe(3);
      expect(members.every((m) => m.instanceId?.string === "")).toBe(true);
    }
    cluster.electLeader(2);
    expect((await gossipOf(ports[0]!)).map((m) => m.state)).toEqual([FOLLOWER, FOLLOWER, LEADER]);
    await cluster.nodes[1]!.stop();
    try {
      expect((await gossipOf(ports[0]!)).map((m) => m.isAlive)).toEqual([true, false, true]);
    } finally {
      await cluster.nodes[1]!.restart();
    }
    expect((await gossipOf(ports[1]!)).map((m) => m.isAlive)).toEqual([true, true, true]);
  });

  it("a follower refuses a write that requires the leader with NOT_FOUND and the leader's end point, and forwards the others", async () => {
    const leaderPort = cluster.nodes[0]!.port;
    const stream = uniqueStream("cluster");
    // The raw answer: status, details and trailers as RpcExceptions.LeaderInfo builds them.
    const raw = new streamsGrpc.StreamsClient(`127.0.0.1:${cluster.nodes[1]!.port}`, grpcCredentials.createInsecure());
    const metadata = new Metadata();
    metadata.set("requires-leader", "True");
    const request = new streamsPb.DeleteReq().setOptions(
      new streamsPb.DeleteReq.Options()
        .setStreamIdentifier(new sharedPb.StreamIdentifier().setStreamName(Buffer.from(stream)))
        .setAny(new sharedPb.Empty()),
    );
    const error = await new Promise<ServiceError>((resolve) =>
      raw.delete(request, metadata, (e: ServiceError | null, _response?: DeleteResp) => resolve(e!)),
    );
    raw.close();
    expect(error.code).toBe(status.NOT_FOUND);
    expect(error.details).toBe("Leader info available");
    expect(error.metadata.get("exception")).toEqual(["not-leader"]);
    expect(error.metadata.get("leader-endpoint-host")).toEqual(["127.0.0.1"]);
    expect(error.metadata.get("leader-endpoint-port")).toEqual([String(leaderPort)]);

    // Through the client, on the BatchAppend path: NotLeaderError naming the leader; nothing written.
    const onFollower = client(cluster.nodes[1]!.connectionString);
    const refused = await thrown(() => onFollower.appendToStream(stream, jsonEvent({ type: "T", data: {} }), { requiresLeader: true }));
    expect(refused).toBeInstanceOf(NotLeaderError);
    expect((refused as NotLeaderError).leader).toEqual({ address: "127.0.0.1", port: leaderPort });
    expect(cluster.store.lastEventNumber(stream)).toBe(-1n);
    // The client moves to the leader on its own (after the refusal's handlers ran): the same
    // append is now served there.
    await new Promise((resolve) => setImmediate(resolve));
    const leaderAppends = cluster.nodes[0]!.callsServed(STREAMS);
    await onFollower.appendToStream(stream, jsonEvent({ type: "T", data: {} }), { requiresLeader: true });
    expect(cluster.nodes[0]!.callsServed(STREAMS)).toBeGreaterThan(leaderAppends);

    // Without requires-leader a follower forwards the write (one log: it is the leader's too).
    const forwarded = client(cluster.nodes[2]!.connectionString);
    await forwarded.appendToStream(stream, jsonEvent({ type: "T", data: {} }), { credentials: { username: "x", password: "y" } });
    await forwarded.deleteStream(uniqueStream("cluster-gone"));
    expect(await revisionsOf(client(cluster.nodes[0]!.connectionString), stream)).toEqual([0n, 1n]);
  });

  it("a follower serves reads unless they require the leader", async () => {
    const stream = uniqueStream("cluster");
    await client(cluster.nodes[0]!.connectionString).appendToStream(stream, jsonEvent({ type: "T", data: {} }));
    const onFollower = client(cluster.nodes[1]!.connectionString);
    const before = cluster.nodes[1]!.callsServed(STREAMS);
    expect(await revisionsOf(onFollower, stream)).toEqual([0n]);
    expect(cluster.nodes[1]!.callsServed(STREAMS)).toBe(before + 1);
    const refused = await thrown(async () => {
      for await (const _ of onFollower.readStream(stream, { requiresLeader: true })) void _;
    });
    expect(refused).toBeInstanceOf(NotLeaderError);
    expect((refused as NotLeaderError).leader.port).toBe(cluster.nodes[0]!.port);
  });

  it("persistent subscriptions are the leader's: followers refuse them with NotLeader, their stats with Server Is Not Ready", async () => {
    const onFollower = client(cluster.nodes[2]!.connectionString);
    const stream = uniqueStream("cluster");
    const settings = persistentSubscriptionToStreamSettingsFromDefaults();
    const refused = await thrown(() => onFollower.createPersistentSubscriptionToStream(stream, "g", settings));
    expect(refused).toBeInstanceOf(NotLeaderError);
    const stats = await thrown(() => client(cluster.nodes[2]!.connectionString).getPersistentSubscriptionToStreamInfo(stream, "g"));
    expect(stats).toBeInstanceOf(UnavailableError);
    expect((stats as Error).message).toContain("Server Is Not Ready");
    await client(cluster.nodes[0]!.connectionString).createPersistentSubscriptionToStream(stream, "g", settings);
  });

  it("a multi-host connection string discovers the leader; nodePreference=follower picks a follower", async () => {
    const stream = uniqueStream("cluster");
    const leaderCalls = cluster.nodes[0]!.callsServed(STREAMS);
    await client(cluster.connectionString).appendToStream(stream, jsonEvent({ type: "T", data: {} }));
    expect(cluster.nodes[0]!.callsServed(STREAMS)).toBe(leaderCalls + 1);

    cluster.electLeader(1);
    const followers = () => cluster.nodes[0]!.callsServed(STREAMS) + cluster.nodes[2]!.callsServed(STREAMS);
    const [leaderBefore, followersBefore] = [cluster.nodes[1]!.callsServed(STREAMS), followers()];
    expect(await revisionsOf(client(`${cluster.connectionString}&nodePreference=follower`), stream)).toEqual([0n]);
    expect(followers()).toBe(followersBefore + 1);
    expect(cluster.nodes[1]!.callsServed(STREAMS)).toBe(leaderBefore);
  });

  it("a leader change fails the appends it catches unacknowledged (Timeout), and the log keeps them", async () => {
    const stream = uniqueStream("cluster");
    const leader = client(cluster.nodes[0]!.connectionString);
    await leader.appendToStream(stream, jsonEvent({ type: "Before", data: {} }));
    cluster.holdAcknowledgements();
    // BatchAppend (the client's default) and the classic Append (chosen by per-call credentials).
    const batch = thrown(() => leader.appendToStream(stream, jsonEvent({ type: "Batch", data: {} })));
    const classic = thrown(() =>
      leader.appendToStream(stream, jsonEvent({ type: "Classic", data: {} }), { credentials: { username: "x", password: "y" } }),
    );
    await waitFor(() => cluster.unacknowledged === 2, 10_000, "two appends in flight");
    cluster.electLeader(1);
    const [batchError, classicError] = await Promise.all([batch, classic]);
    expect(batchError).toBeInstanceOf(DeadlineExceededError);
    expect(classicError).toBeInstanceOf(TimeoutError);
    expect((classicError as Error).message).toContain("Request canceled by server");
    expect(cluster.unacknowledged).toBe(0);
    expect(await revisionsOf(leader, stream)).toEqual([0n, 1n, 2n]);
    // The new leader acknowledges at once.
    await client(cluster.nodes[1]!.connectionString).appendToStream(stream, jsonEvent({ type: "After", data: {} }));
    expect(cluster.store.lastEventNumber(stream)).toBe(3n);
  });

  it("held appends are acknowledged on release", async () => {
    const stream = uniqueStream("cluster");
    cluster.holdAcknowledgements();
    const appended = client(cluster.nodes[0]!.connectionString).appendToStream(stream, jsonEvent({ type: "T", data: {} }));
    await waitFor(() => cluster.unacknowledged === 1, 10_000, "one append in flight");
    cluster.releaseAcknowledgements();
    expect((await appended).nextExpectedRevision).toBe(0n);
    expect(() => cluster.electLeader(3)).toThrow(RangeError);
  });
});
