// Graceful stop versus forced stop: a graceful close lets calls in progress finish within the
// grace period, then ends the ones still open with CANCELLED; `stop()` stays the crash.
import { credentials, status, type ServiceError } from "@grpc/grpc-js";
import { createRequire } from "node:module";
import { randomUUID } from "node:crypto";
import { CancelledError, EventStoreDBClient, jsonEvent } from "@eventstore/db-client";
import type { AppendResp, ReadResp } from "@eventstore/db-client/generated/streams_pb";
import { afterEach, describe, expect, it } from "vitest";
import { startEventStoreEmulator, type EventStoreEmulator } from "../../../src/servers/eventstoredb/index.js";
import { uniqueStream, waitFor } from "./test-support.js";

const load = createRequire(import.meta.url);
const streamsGrpc = load(
  "@eventstore/db-client/generated/streams_grpc_pb.js",
) as typeof import("@eventstore/db-client/generated/streams_grpc_pb");
const streamsPb = load("@eventstore/db-client/generated/streams_pb.js") as typeof import("@eventstore/db-client/generated/streams_pb");
const sharedPb = load("@eventstore/db-client/generated/shared_pb.js") as typeof import("@eventstore/db-client/generated/shared_pb");

type Raw = InstanceType<typeof streamsGrpc.StreamsClient>;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function started(): Promise<{ esdb: EventStoreEmulator; raw: Raw }> {
  const esdb = await startEventStoreEmulator();
  const raw = new streamsGrpc.StreamsClient(`127.0.0.1:${esdb.port}`, credentials.createInsecure());
  cleanups.push(() => esdb.close(), () => raw.close());
  return { esdb, raw };
}

const identifier = (name: string) => new sharedPb.StreamIdentifier().setStreamName(Buffer.from(name));

/** An Append call that has sent its options and waits for its events: in flight on the server. */
function openAppend(raw: Raw, stream: string) {
  let settle: (outcome: AppendResp | ServiceError) => void = () => undefined;
  const outcome = new Promise<AppendResp | ServiceError>((resolve) => (settle = resolve));
  const call = raw.append((error, response) => settle(error ?? response!));
  call.write(
    new streamsPb.AppendReq().setOptions(
      new streamsPb.AppendReq.Options().setStreamIdentifier(identifier(stream)).setNoStream(new sharedPb.Empty()),
    ),
  );
  const send = () => {
    const message = new streamsPb.AppendReq.ProposedMessage()
      .setId(new sharedPb.UUID().setString(randomUUID()))
      .setData(Buffer.from("{}"));
    message.getMetadataMap().set("type", "Late").set("content-type", "application/json");
    call.write(new streamsPb.AppendReq().setProposedMessage(message));
    call.end();
  };
  return { outcome, send };
}

/** A read on the same connection: its answer means the server has taken every earlier call. */
function roundTrip(raw: Raw): Promise<void> {
  const options = new streamsPb.ReadReq.Options()
    .setStream(new streamsPb.ReadReq.Options.StreamOptions().setStreamIdentifier(identifier(uniqueStream())).setStart(new sharedPb.Empty()))
    .setCount("1")
    .setNoFilter(new sharedPb.Empty())
    .setUuidOption(new streamsPb.ReadReq.Options.UUIDOption().setString(new sharedPb.Empty()));
  options.setReadDirection(streamsPb.ReadReq.Options.ReadDirection.FORWARDS);
  return new Promise((resolve, reject) => {
    const call = raw.read(new streamsPb.ReadReq().setOptions(options));
    call.on("data", (_response: ReadResp) => undefined);
    call.on("error", reject);
    call.on("end", () => resolve());
  });
}

describe("graceful stop", () => {
  it("ends an append still open after the grace period with CANCELLED and writes nothing", async () => {
    const { esdb, raw } = await started();
    const stream = uniqueStream();
    const append = openAppend(raw, stream);
    await roundTrip(raw);
    await esdb.close({ graceMs: 20 });
    const outcome = await append.outcome;
    expect((outcome as ServiceError).code).toBe(status.CANCELLED);
    expect((outcome as ServiceError).details).toBe("The server is shutting down");
    expect(esdb.store.lastEventNumber(stream)).toBe(-1n);
  });

  it("lets an append in progress finish within the grace period", async () => {
    const { esdb, raw } = await started();
    const stream = uniqueStream();
    const append = openAppend(raw, stream);
    await roundTrip(raw);
    const closing = esdb.close({ graceMs: 10_000 });
    append.send();
    const outcome = await append.outcome;
    expect((outcome as AppendResp).getSuccess()?.getCurrentRevision()).toBe("0");
    await closing;
  });

  it("ends an official client's subscription with CancelledError", async () => {
    const { esdb } = await started();
    const client = EventStoreDBClient.connectionString(esdb.connectionString);
    cleanups.push(() => client.dispose());
    const stream = uniqueStream();
    await client.appendToStream(stream, [jsonEvent({ type: "Seen", data: {} })]);
    const subscription = client.subscribeToStream(stream);
    const errors: unknown[] = [];
    let caughtUp = false;
    subscription.on("caughtUp", () => (caughtUp = true));
    subscription.on("error", (error: unknown) => errors.push(error));
    subscription.on("data", () => undefined);
    await waitFor(() => caughtUp);
    await esdb.close({ graceMs: 20 });
    await waitFor(() => errors.length > 0, 5_000, "subscription error");
    expect(errors[0]).toBeInstanceOf(CancelledError);
    expect((errors[0] as CancelledError).message).toContain("The server is shutting down");
  });
});
