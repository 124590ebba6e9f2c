import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeEvent, type EventWrapper, type PublisherReply, type SubscribeReply, type Topic } from "../../../src/adapters/ensign/wire/index.js";
import { startEnsignServer, type EnsignServer } from "../../../src/servers/ensign/index.js";
import { RawEnsignClient, eventually, login, postJson } from "./test-client.js";

describe("Ensign emulator: stop and restart on the same ports", () => {
  let server: EnsignServer;
  let client: RawEnsignClient;

  beforeAll(async () => {
    server = await startEnsignServer();
  });

  afterAll(async () => {
    client?.close();
    await server.close();
  });

  it("keeps topics, events and keys across a restart, and breaks open streams", async () => {
    const tokens = await login(server);
    client = new RawEnsignClient(server.endpoint, tokens.access_token);
    const topic = await client.unary<Topic>("CreateTopic", { name: "durable" });
    const publish = client.bidi<unknown, PublisherReply>("Publish");
    publish.write({ open_stream: {} });
    await publish.reply(1);
    publish.write({ event: { topic_id: topic.id, local_id: Buffer.from("a"), event: encodeEvent({ data: Buffer.from("kept") }) } });
    await publish.reply(2);
    const subscribe = client.bidi<unknown, SubscribeReply>("Subscribe");
    subscribe.write({ subscription: {} });
    await subscribe.reply(1);

    const { port, authPort, url } = server;
    await server.restart();
    expect([server.port, server.authPort, server.url]).toEqual([port, authPort, url]);

    expect((await publish.finished()).code).toBe(grpc.status.UNAVAILABLE);
    expect((await subscribe.finished()).code).toBe(grpc.status.UNAVAILABLE);

    // The old access token still verifies (same signing key); the data is still there.
    const events = await client.serverStream<EventWrapper>("EnSQL", { query: "SELECT * FROM durable" });
    expect(events).toHaveLength(1);
    expect(server.eventCount).toBe(1);
    const relogin = await postJson(`${server.authUrl}/v1/authenticate`, { client_id: server.clientId, client_secret: server.clientSecret });
    expect(relogin.status).toBe(200);
  });

  it("refuses connections while stopped", async () => {
    await server.stop();
    expect(server.running).toBe(false);
    await expect(client.unary("Status", {})).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    await expect(fetch(`${server.authUrl}/v1/status`)).rejects.toThrow();
    await server.start();
    // The channel reconnects with backoff; wait until it is back.
    await eventually(() => client.unary("Status", {}).then(() => true, () => false), "the channel to reconnect", 10_000);
  });
});
