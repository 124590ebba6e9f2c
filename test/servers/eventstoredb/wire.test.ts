// Wire details the official client never exercises on its own (it always asks for string UUIDs
// and always sends type and content-type), driven through the generated clients it ships.
import { credentials, status, type ServiceError } from "@grpc/grpc-js";
import { createRequire } from "node:module";
import { randomUUID } from "node:crypto";
import { EventStoreDBClient, jsonEvent } from "@eventstore/db-client";
import type { ReadResp } from "@eventstore/db-client/generated/streams_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEventStoreEmulator, type EventStoreEmulator } from "../../../src/servers/eventstoredb/index.js";
import { uniqueStream } from "./test-support.js";

const load = createRequire(import.meta.url);
const streamsGrpc = load(
  "@eventstore/db-client/generated/streams_grpc_pb.js",
) as typeof import("@eventstore/db-client/generated/streams_grpc_pb");
const streamsPb = load("@eventstore/db-client/generated/streams_pb.js") as typeof import("@eventstore/db-client/generated/streams_pb");
const sharedPb = load("@eventstore/db-client/generated/shared_pb.js") as typeof import("@eventstore/db-client/generated/shared_pb");

let esdb: EventStoreEmulator;
let client: EventStoreDBClient;
let raw: InstanceType<typeof streamsGrpc.StreamsClient>;

beforeAll(async () => {
  esdb = await startEventStoreEmulator();
  client = EventStoreDBClient.connectionString(esdb.connectionString);
  raw = new streamsGrpc.StreamsClient(`127.0.0.1:${esdb.port}`, credentials.createInsecure());
});

afterAll(async () => {
  raw?.close();
  await client?.dispose();
  await esdb?.close();
});

const identifier = (name: string) => new sharedPb.StreamIdentifier().setStreamName(Buffer.from(name));

describe("wire details", () => {
  it("honours uuid_option=structured with the two int64 halves of the id", async () => {
    const stream = uniqueStream();
    const id = randomUUID();
    await client.appendToStream(stream, [jsonEvent({ id, type: "Structured", data: {} })]);
    const options = new streamsPb.ReadReq.Options()
      .setStream(new streamsPb.ReadReq.Options.StreamOptions().setStreamIdentifier(identifier(stream)).setStart(new sharedPb.Empty()))
      .setReadDirection(streamsPb.ReadReq.Options.ReadDirection.FORWARDS)
      .setCount("10")
      .setNoFilter(new sharedPb.Empty())
      .setUuidOption(new streamsPb.ReadReq.Options.UUIDOption().setStructured(new sharedPb.Empty()));
    const responses: ReadResp[] = [];
    await new Promise<void>((resolve, reject) => {
      const call = raw.read(new streamsPb.ReadReq().setOptions(options));
      call.on("data", (response: ReadResp) => responses.push(response));
      call.on("end", resolve);
      call.on("error", reject);
    });
    const uuid = responses[0]!.getEvent()!.getEvent()!.getId()!;
    expect(uuid.hasStructured()).toBe(true);
    const hex = (value: string) => BigInt.asUintN(64, BigInt(value)).toString(16).padStart(16, "0");
    const joined = hex(uuid.getStructured()!.getMostSignificantBits()) + hex(uuid.getStructured()!.getLeastSignificantBits());
    expect(joined).toBe(id.replaceAll("-", ""));
    expect(responses[0]!.getEvent()!.getEvent()!.getMetadataMap().get("content-type")).toBe("application/json");
  });

  it("refuses a proposed message without content-type with the required-metadata trailers", async () => {
    const stream = uniqueStream();
    const error = await new Promise<ServiceError>((resolve, reject) => {
      const call = raw.append((err) => (err ? resolve(err) : reject(new Error("append succeeded"))));
      call.write(
        new streamsPb.AppendReq().setOptions(
          new streamsPb.AppendReq.Options().setStreamIdentifier(identifier(stream)).setAny(new sharedPb.Empty()),
        ),
      );
      const message = new streamsPb.AppendReq.ProposedMessage()
        .setId(new sharedPb.UUID().setString(randomUUID()))
        .setData(Buffer.from("{}"));
      message.getMetadataMap().set("type", "NoContentType");
      call.write(new streamsPb.AppendReq().setProposedMessage(message));
      call.end();
    });
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.metadata.get("exception")).toEqual(["missing-required-metadata-property"]);
    expect(error.metadata.get("required-metadata-properties")).toEqual(["type,content-type"]);
    expect(esdb.store.readableEvents(stream)).toBeUndefined();
  });

  it("answers a tombstoned stream read with FAILED_PRECONDITION and the stream-name trailer", async () => {
    const stream = uniqueStream();
    await client.tombstoneStream(stream);
    const options = new streamsPb.ReadReq.Options()
      .setStream(new streamsPb.ReadReq.Options.StreamOptions().setStreamIdentifier(identifier(stream)).setStart(new sharedPb.Empty()))
      .setCount("1")
      .setNoFilter(new sharedPb.Empty())
      .setUuidOption(new streamsPb.ReadReq.Options.UUIDOption().setString(new sharedPb.Empty()));
    const error = await new Promise<ServiceError>((resolve, reject) => {
      const call = raw.read(new streamsPb.ReadReq().setOptions(options));
      call.on("data", () => undefined);
      call.on("end", () => reject(new Error("read succeeded")));
      call.on("error", resolve);
    });
    expect(error.code).toBe(status.FAILED_PRECONDITION);
    expect(error.metadata.get("exception")).toEqual(["stream-deleted"]);
    expect(error.metadata.get("stream-name")).toEqual([stream]);
  });
});
