import { credentials, status, type ServiceError } from "@grpc/grpc-js";
import { createRequire } from "node:module";
import {
  CancelledError,
  EventStoreDBClient,
  START,
  persistentSubscriptionToStreamSettingsFromDefaults,
  type PersistentSubscriptionToStreamResolvedEvent,
  jsonEvent,
  type ResolvedEvent,
} from "@eventstore/db-client";
import type { SupportedMethods } from "@eventstore/db-client/generated/serverfeatures_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEventStoreEmulator, type EventStoreEmulator } from "../../../src/servers/eventstoredb/index.js";
import { collect, revisionsOf, thrown, uniqueStream, waitFor } from "./test-support.js";

const load = createRequire(import.meta.url);
const featuresGrpc = load(
  "@eventstore/db-client/generated/serverfeatures_grpc_pb.js",
) as typeof import("@eventstore/db-client/generated/serverfeatures_grpc_pb");
const sharedPb = load("@eventstore/db-client/generated/shared_pb.js") as typeof import("@eventstore/db-client/generated/shared_pb");

let esdb: EventStoreEmulator;
let client: EventStoreDBClient;

beforeAll(async () => {
  esdb = await startEventStoreEmulator();
  client = EventStoreDBClient.connectionString(esdb.connectionString);
});

afterAll(async () => {
  await client?.dispose();
  await esdb?.close();
});

describe("server features", () => {
  it("reports a semver version and the served methods with the real server's features", async () => {
    const raw = new featuresGrpc.ServerFeaturesClient(`127.0.0.1:${esdb.port}`, credentials.createInsecure());
    const supported = await new Promise<SupportedMethods>((resolve, reject) =>
      raw.getSupportedMethods(new sharedPb.Empty(), (error, response) => (error ? reject(error) : resolve(response!))),
    );
    raw.close();
    expect(supported.getEventStoreServerVersion()).toMatch(/^\d+\.\d+\.\d+$/);
    const methods = new Map(
      supported.getMethodsList().map((m) => [`${m.getServiceName()}/${m.getMethodName()}`, m.getFeaturesList()]),
    );
    expect(methods.get("event_store.client.streams.streams/batchappend")).toEqual(["deadline_duration"]);
    expect(methods.get("event_store.client.streams.streams/read")).toEqual(["position", "events"]);
    expect(methods.get("event_store.client.persistent_subscriptions.persistentsubscriptions/getinfo")).toEqual([
      "stream",
      "all",
    ]);
    expect([...methods.keys()].some((key) => key.includes("projections"))).toBe(false);
  });

  it("answers Gossip.Read with itself as the single leader, so discovery connection strings work", async () => {
    const discovering = EventStoreDBClient.connectionString(`esdb+discover://127.0.0.1:${esdb.port}?tls=false`);
    try {
      const result = await discovering.appendToStream(uniqueStream(), [jsonEvent({ type: "Found", data: {} })]);
      expect(result.nextExpectedRevision).toBe(0n);
    } finally {
      await discovering.dispose();
    }
  });

  it("answers projection RPCs with UNIMPLEMENTED", async () => {
    const error = await thrown(() => client.getProjectionStatus("$by_category"));
    expect((error as ServiceError).code).toBe(status.UNIMPLEMENTED);
  });
});

describe("stop and restart", () => {
  it("keeps data across a forced stop and a restart on the same port", async () => {
    const stream = uniqueStream();
    await client.appendToStream(stream, [jsonEvent({ type: "Before", data: {} })]);
    const port = esdb.port;
    await esdb.stop();
    try {
      // 6.2.1 hands back the raw grpc error here: CANCELLED from the BatchAppend stream the stop
      // cut, or UNAVAILABLE (connection refused) once the client rebuilt its channel.
      const down = await thrown(() => client.appendToStream(stream, [jsonEvent({ type: "During", data: {} })]));
      expect([status.CANCELLED, status.UNAVAILABLE]).toContain((down as ServiceError).code);
      const again = await thrown(() => client.appendToStream(stream, [jsonEvent({ type: "During", data: {} })]));
      expect((again as ServiceError).code).toBe(status.UNAVAILABLE);
    } finally {
      await esdb.restart();
    }
    expect(esdb.port).toBe(port);
    await client.appendToStream(stream, [jsonEvent({ type: "After", data: {} })], { expectedRevision: 0n });
    expect(await revisionsOf(client, stream)).toEqual([0n, 1n]);
    const read = await collect<ResolvedEvent>(client.readStream(stream));
    expect(read.map((e) => e.event!.type)).toEqual(["Before", "After"]);
  });

  it("a forced stop ends open subscriptions with an error instead of hanging them", async () => {
    const stream = uniqueStream();
    const subscription = client.subscribeToStream(stream);
    const errors: unknown[] = [];
    let caughtUp = false;
    subscription.on("caughtUp", () => (caughtUp = true));
    subscription.on("error", (error: unknown) => errors.push(error));
    subscription.on("data", () => undefined);
    await waitFor(() => caughtUp);
    await esdb.stop();
    try {
      await waitFor(() => errors.length > 0, 5_000, "subscription error");
      expect(errors[0]).toBeInstanceOf(CancelledError);
    } finally {
      await esdb.restart();
    }
    const again = client.subscribeToStream(stream);
    let resumedCaughtUp = false;
    again.on("caughtUp", () => (resumedCaughtUp = true));
    again.on("data", () => undefined);
    await waitFor(() => resumedCaughtUp, 5_000, "resubscription");
    await again.unsubscribe();
  });

  it("persistent subscription groups survive a restart; unacknowledged events are delivered again", async () => {
    const stream = uniqueStream();
    await client.createPersistentSubscriptionToStream(
      stream,
      "survivor",
      persistentSubscriptionToStreamSettingsFromDefaults({ startFrom: START }),
    );
    await client.appendToStream(stream, [jsonEvent({ type: "Job", data: { n: 1 } }), jsonEvent({ type: "Job", data: { n: 2 } })]);
    const first = client.subscribeToPersistentSubscriptionToStream(stream, "survivor");
    const seen: PersistentSubscriptionToStreamResolvedEvent[] = [];
    const errors: unknown[] = [];
    first.on("data", (resolved: PersistentSubscriptionToStreamResolvedEvent) => seen.push(resolved));
    first.on("error", (error: unknown) => errors.push(error));
    await waitFor(() => seen.length === 2);
    await first.ack(seen[0]!);
    // Stop only once the server has processed the ack (one event left in flight).
    const group = () => client.getPersistentSubscriptionToStreamInfo(stream, "survivor");
    for (let attempt = 0; attempt < 200 && (await group()).stats.totalInFlightMessages !== 1; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect((await group()).stats.totalInFlightMessages).toBe(1);
    await esdb.stop();
    try {
      await waitFor(() => errors.length > 0, 5_000, "persistent subscription error");
    } finally {
      await esdb.restart();
    }
    const second = client.subscribeToPersistentSubscriptionToStream(stream, "survivor");
    const again: PersistentSubscriptionToStreamResolvedEvent[] = [];
    second.on("data", (resolved: PersistentSubscriptionToStreamResolvedEvent) => again.push(resolved));
    await waitFor(() => again.length === 1, 5_000, "redelivery");
    expect(again[0]!.event!.revision).toBe(1n);
    expect(again[0]!.retryCount).toBe(1);
    await second.ack(again[0]!);
    await second.unsubscribe();
  });
});
