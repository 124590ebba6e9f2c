import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  MAX_EVENT_SIZE,
  NackCode,
  encodeEvent,
  encodeMessage,
  newUlid,
  topicNameHash,
  ulidToString,
  type EventWrapper,
  type PublisherReply,
  type SubscribeReply,
  type Topic,
} from "../../../src/adapters/ensign/wire/index.js";
import { startEnsignServer, type EnsignServer } from "../../../src/servers/ensign/index.js";
import { RawEnsignClient, eventually, login, type StreamProbe } from "./test-client.js";

const eventBytes = (text: string) => encodeEvent({ data: Buffer.from(text), mimetype: 50, type: { name: "Note", major_version: 1 } });

describe("Ensign emulator: Publish and Subscribe streams", () => {
  let server: EnsignServer;
  let client: RawEnsignClient;
  let orders: Topic;
  let audit: Topic;

  beforeAll(async () => {
    // The 5,243,000-byte nack below needs a receive limit above the real server's 4 MiB.
    server = await startEnsignServer({ subscriberBuffer: 2, maxReceiveMessageBytes: 16 * 1024 * 1024 });
    client = new RawEnsignClient(server.endpoint, (await login(server)).access_token);
  });

  afterAll(async () => {
    client.close();
    await server.close();
  });

  async function openPublisher(topics: string[] = []): Promise<StreamProbe<unknown, PublisherReply>> {
    const stream = client.bidi<unknown, PublisherReply>("Publish");
    stream.write({ open_stream: { client_id: "pub-1", topics } });
    const ready = await stream.reply(1);
    expect(ready.embed).toBe("ready");
    return stream;
  }

  it("fails Publish and Subscribe with FAILED_PRECONDITION while the project has no topics", async () => {
    const publish = client.bidi("Publish");
    publish.write({ open_stream: { client_id: "x" } });
    expect(await publish.finished()).toMatchObject({ code: grpc.status.FAILED_PRECONDITION, details: "no topics available" });
    const subscribe = client.bidi("Subscribe");
    subscribe.write({ subscription: { client_id: "x" } });
    expect(await subscribe.finished()).toMatchObject({ code: grpc.status.FAILED_PRECONDITION, details: "no topics available" });

    orders = await client.unary<Topic>("CreateTopic", { name: "shop.orders" });
    audit = await client.unary<Topic>("CreateTopic", { name: "audit" });
  });

  it("requires open_stream first and answers ready with the topic name -> id map", async () => {
    const wrongFirst = client.bidi("Publish");
    wrongFirst.write({ event: { topic_id: orders.id } });
    expect((await wrongFirst.finished()).code).toBe(grpc.status.FAILED_PRECONDITION);

    const stream = client.bidi<unknown, PublisherReply>("Publish");
    stream.write({ open_stream: { client_id: "pub-1" } });
    const ready = (await stream.reply(1)).ready;
    expect(ready?.client_id).toBe("pub-1");
    expect(Object.keys(ready?.topics ?? {}).sort()).toEqual(["audit", "shop.orders"]);
    expect(Buffer.from(ready?.topics["shop.orders"] ?? []).equals(Buffer.from(orders.id))).toBe(true);
    stream.end();
    expect((await stream.finished()).code).toBe(grpc.status.OK);

    const filtered = client.bidi<unknown, PublisherReply>("Publish");
    filtered.write({ open_stream: { topics: ["no-such-topic"] } });
    expect(await filtered.finished()).toMatchObject({ code: grpc.status.FAILED_PRECONDITION, details: "no topics available" });
  });

  it("acks with the client's local_id, nacks unknown topics and oversized events, and closes with counts", async () => {
    const stream = await openPublisher();
    const before = server.eventCount;
    stream.write({ event: { topic_id: orders.id, local_id: Buffer.from("local-1"), event: eventBytes("a") } });
    stream.write({ event: { local_id: Buffer.from("local-2"), event: eventBytes("b") } });
    stream.write({ event: { topic_id: Buffer.from([1, 2, 3]), local_id: Buffer.from("local-3"), event: eventBytes("c") } });
    stream.write({ event: { topic_id: newUlid(), local_id: Buffer.from("local-4"), event: eventBytes("d") } });
    stream.write({ event: { topic_id: orders.id, local_id: Buffer.from("local-5"), event: Buffer.alloc(MAX_EVENT_SIZE + 1, 7) } });
    stream.write({ event: { topic_id: audit.id, local_id: Buffer.from("local-6"), event: Buffer.alloc(MAX_EVENT_SIZE, 7) } });
    stream.end();
    await stream.finished();
    const replies = stream.received.slice(1);
    const summary = replies.map((r) =>
      r.ack
        ? ["ack", Buffer.from(r.ack.id).toString(), r.ack.committed !== null]
        : r.nack
          ? ["nack", Buffer.from(r.nack.id).toString(), r.nack.code, r.nack.error]
          : ["close", r.close_stream],
    );
    expect(summary).toEqual([
      ["ack", "local-1", true],
      ["nack", "local-2", NackCode.TOPIC_UNKNOWN, "no topic id specified"],
      ["nack", "local-3", NackCode.TOPIC_UNKNOWN, "invalid topic id"],
      ["nack", "local-4", NackCode.TOPIC_UNKNOWN, "topic unknown or unhandled"],
      ["nack", "local-5", NackCode.MAX_EVENT_SIZE_EXCEEDED, "maximum event size has been exceeded"],
      ["ack", "local-6", true],
      ["close", { events: "2", topics: "2", acks: "2", nacks: "4" }],
    ]);
    expect(server.eventCount).toBe(before + 2);
  });

  it("fixes the allowed topics when the stream opens: a topic created later is TOPIC_UNKNOWN", async () => {
    const stream = await openPublisher();
    const late = await client.unary<Topic>("CreateTopic", { name: "late" });
    stream.write({ event: { topic_id: late.id, local_id: Buffer.from("x"), event: eventBytes("x") } });
    const reply = await stream.reply(2);
    expect(reply.nack?.code).toBe(NackCode.TOPIC_UNKNOWN);
    stream.end();
    await stream.finished();

    const reopened = await openPublisher();
    reopened.write({ event: { topic_id: late.id, local_id: Buffer.from("y"), event: eventBytes("y") } });
    expect((await reopened.reply(2)).ack).toBeDefined();
    reopened.end();
    await reopened.finished();
  });

  it("aborts a stream that sends a second open_stream", async () => {
    const stream = await openPublisher();
    stream.write({ open_stream: { client_id: "again" } });
    expect(await stream.finished()).toMatchObject({ code: grpc.status.ABORTED, details: "cannot send multiple open stream messages" });
  });

  it("stores server-minted 10-byte RLIDs without local_id, in commit order", async () => {
    const stream = await openPublisher([ulidToString(audit.id)]);
    for (let i = 0; i < 3; i++) {
      stream.write({ event: { topic_id: audit.id, local_id: Buffer.from(`n${i}`), event: eventBytes(`n${i}`) } });
    }
    stream.end();
    await stream.finished();
    const events = await client.serverStream<EventWrapper>("EnSQL", { query: "SELECT * FROM audit" });
    expect(events.length).toBeGreaterThanOrEqual(3);
    for (const event of events) {
      expect(event.id).toHaveLength(10);
      expect(event.local_id).toHaveLength(0);
      expect(event.committed).toBeNull();
      expect(event.publisher?.publisher_id).toBe(server.clientId);
    }
    const ids = events.map((e) => Buffer.from(e.id).toString("hex"));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("fans out live events only (no replay) to subscribers of the topic", async () => {
    const publisher = await openPublisher();
    publisher.write({ event: { topic_id: orders.id, local_id: Buffer.from("before"), event: eventBytes("before") } });
    await publisher.reply(2);

    const subscriber = client.bidi<unknown, SubscribeReply>("Subscribe");
    subscriber.write({ subscription: { client_id: "sub-1", topics: ["shop.orders"] } });
    const ready = (await subscriber.reply(1)).ready;
    expect(Object.keys(ready?.topics ?? {})).toEqual(["shop.orders"]);
    await eventually(() => server.subscriberCount === 1, "the subscriber to register");

    publisher.write({ event: { topic_id: audit.id, local_id: Buffer.from("other"), event: eventBytes("other") } });
    publisher.write({ event: { topic_id: orders.id, local_id: Buffer.from("after"), event: eventBytes("after") } });
    await publisher.reply(4);
    const delivered = (await subscriber.reply(2)).event;
    expect(delivered?.id).toHaveLength(10);
    expect(delivered?.local_id).toHaveLength(0);
    expect(delivered?.committed).not.toBeNull();
    expect(Buffer.from(delivered?.topic_id ?? []).equals(Buffer.from(orders.id))).toBe(true);
    expect(Buffer.from(delivered?.event ?? []).equals(eventBytes("after"))).toBe(true);
    subscriber.write({ ack: { id: delivered?.id } });

    subscriber.call.cancel();
    publisher.end();
    await subscriber.finished();
    await publisher.finished();
    expect(subscriber.received.filter((r) => r.event)).toHaveLength(1);
  });

  it("filters subscriptions by topic name, ULID string or name hash, dropping unknown ones", async () => {
    const subscriber = client.bidi<unknown, SubscribeReply>("Subscribe");
    subscriber.write({ subscription: { client_id: "c", topics: [topicNameHash("audit"), ulidToString(orders.id), "unknown"] } });
    const ready = (await subscriber.reply(1)).ready;
    expect(ready?.client_id).toBe("c");
    expect(Object.keys(ready?.topics ?? {}).sort()).toEqual(["audit", "shop.orders"]);
    subscriber.call.cancel();
    expect((await subscriber.finished()).code).toBe(grpc.status.CANCELLED);
    await eventually(() => server.subscriberCount === 0, "the subscriber to unregister");
  });

  it("keeps a half-closed subscription open and delivering, as the real server does", async () => {
    const subscriber = client.bidi<unknown, SubscribeReply>("Subscribe");
    subscriber.write({ subscription: { topics: ["audit"] } });
    await subscriber.reply(1);
    await eventually(() => server.subscriberCount === 1, "the subscriber to register");
    subscriber.end();
    const publisher = await openPublisher();
    publisher.write({ event: { topic_id: audit.id, local_id: Buffer.from("late"), event: eventBytes("late") } });
    expect((await subscriber.reply(2)).event).toBeDefined();
    expect(subscriber.status).toBeUndefined();
    subscriber.call.cancel();
    await subscriber.finished();
    publisher.end();
    await publisher.finished();
    await eventually(() => server.subscriberCount === 0, "the subscriber to unregister");
  });

  it("requires subscription as the first Subscribe message", async () => {
    const subscriber = client.bidi("Subscribe");
    subscriber.write({ ack: { id: Buffer.from("x") } });
    expect(await subscriber.finished()).toMatchObject({
      code: grpc.status.FAILED_PRECONDITION,
      details: "must send subscription to initialize stream",
    });
  });

  it("drops live events for a subscriber that does not keep up (bounded buffer)", async () => {
    const subscriber = client.bidi<unknown, SubscribeReply>("Subscribe");
    subscriber.write({ subscription: { topics: ["audit"] } });
    await subscriber.reply(1);
    await eventually(() => server.subscriberCount === 1, "the subscriber to register");
    subscriber.call.pause(); // stop reading: HTTP/2 flow control backs up to the server
    const droppedBefore = server.droppedEvents;
    const publisher = await openPublisher();
    const big = Buffer.alloc(1_000_000, 1);
    const count = 40;
    for (let i = 0; i < count; i++) {
      publisher.write({ event: { topic_id: audit.id, local_id: Buffer.from(`big${i}`), event: big } });
    }
    await publisher.until(() => publisher.received.length >= count + 1, "all acks", 20_000);
    const dropped = server.droppedEvents - droppedBefore;
    expect(dropped).toBeGreaterThan(0);
    subscriber.call.resume();
    await subscriber.until(() => subscriber.received.length - 1 === count - dropped, "the undropped events", 20_000);
    subscriber.call.cancel();
    publisher.end();
    await subscriber.finished();
    await publisher.finished();
  });

  it("ends every subscription with UNAVAILABLE on dropSubscribers()", async () => {
    const subscriber = client.bidi("Subscribe");
    subscriber.write({ subscription: {} });
    await subscriber.reply(1);
    await eventually(() => server.subscriberCount === 1, "the subscriber to register");
    expect(server.dropSubscribers()).toBe(1);
    expect((await subscriber.finished()).code).toBe(grpc.status.UNAVAILABLE);
    expect(server.subscriberCount).toBe(0);
  });

  it("by default, as the real server, a request over 4 MiB ends the stream RESOURCE_EXHAUSTED in grpc-go's words", async () => {
    const strict = await startEnsignServer();
    const strictClient = new RawEnsignClient(strict.endpoint, (await login(strict)).access_token);
    try {
      const topic = await strictClient.unary<Topic>("CreateTopic", { name: "big" });
      const stream = strictClient.bidi<unknown, PublisherReply>("Publish");
      stream.write({ open_stream: {} });
      await stream.reply(1);
      stream.write({ event: { topic_id: topic.id, local_id: Buffer.from("ok"), event: Buffer.alloc(4_000_000, 1) } });
      expect((await stream.reply(2)).ack).toBeDefined();
      stream.write({ event: { topic_id: topic.id, local_id: Buffer.from("big"), event: Buffer.alloc(4_500_000, 1) } });
      const size = encodeMessage("ensign.v1beta1.PublisherRequest", {
        event: { topic_id: topic.id, local_id: Buffer.from("big"), event: Buffer.alloc(4_500_000, 1) },
      }).byteLength;
      expect(await stream.finished()).toMatchObject({
        code: grpc.status.RESOURCE_EXHAUSTED,
        details: `grpc: received message larger than max (${size} vs. 4194304)`,
      });
      expect(stream.received.some((r) => r.nack)).toBe(false);
      expect(strict.oversizedRequests).toBe(1);
    } finally {
      strictClient.close();
      await strict.close();
    }
  });
});
