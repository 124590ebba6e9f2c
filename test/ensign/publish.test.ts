import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  EnsignEvent,
  EventTooLargeError,
  MAX_PUBLISHABLE_EVENT_SIZE,
  NackCode,
  PublishTooLargeError,
  TopicNotFoundError,
  TopicUnavailableError,
  type Ensign,
} from "../../src/adapters/ensign/index.js";
import { encodeEvent } from "../../src/adapters/ensign/wire/codec.js";
import { newUlid, ulidToString } from "../../src/adapters/ensign/wire/ids.js";
import type { EnsignServer } from "../../src/servers/ensign/index.js";
import { clientFor, emulator, errorOf, uniqueTopic, utf8 } from "./helpers.js";
import { silentLogger, type LogRecord } from "../../src/core/observability/logger.js";

let server: EnsignServer;
let client: Ensign;

beforeAll(async () => {
  server = await emulator();
  client = clientFor(server, { publishWindow: 4 });
});
afterAll(async () => {
  await client.close();
  await server.close();
});

const json = (value: unknown, schemaVersion = "1.0.0") =>
  new EnsignEvent({ data: utf8.encode(JSON.stringify(value)), schemaName: "Counted", schemaVersion });

describe("publishing over one stream", () => {
  it("each event settles with its own ack, callbacks fire, and the events read back in order", async () => {
    const topic = uniqueTopic();
    const acked: number[] = [];
    const events = Array.from({ length: 100 }, (_, n) => json({ n }));
    await client.publish(topic, events, { ensureExists: true, onAck: (_ack, e) => acked.push(JSON.parse(new TextDecoder().decode(e.data)).n) });
    expect(client.publisher.pending).toBeGreaterThan(0);
    const acks = await Promise.all(events.map((e) => e.waitForAck()));
    expect(acks.every((a) => a.committed instanceof Date)).toBe(true);
    expect(events.every((e) => e.acked() && e.state === "acked")).toBe(true);
    expect(acked.sort((a, b) => a - b)).toEqual(events.map((_, n) => n));
    await client.flush();
    expect(client.publisher.pending).toBe(0);
    const rows = await (await client.query(`SELECT * FROM ${topic}`)).fetchAll();
    expect(rows.map((r) => (r.decode() as { n: number }).n)).toEqual(events.map((_, n) => n));
    expect(rows[0]!.schema).toBe("Counted v1.0.0");
    expect(rows[0]!.id).toMatch(/^[0-9a-z]{16}$/);
    // A bounded window: 100 events went over the one stream that was opened.
    expect(client.publisher.stats.opened).toBe(1);
  });

  it("refuses bad arguments before anything is sent", async () => {
    expect((await errorOf(client.publish("", json({})))).code).toBe("VALIDATION");
    expect((await errorOf(client.publish(uniqueTopic()))).code).toBe("VALIDATION");
    expect((await errorOf(client.publish(uniqueTopic(), "nope" as never))).code).toBe("VALIDATION");
    expect(await errorOf(client.publish(uniqueTopic("absent"), json({})))).toBeInstanceOf(TopicNotFoundError);
    expect((await errorOf(() => new EnsignEvent({ data: new Uint8Array() }))).code).toBe("VALIDATION");
    expect((await errorOf(() => new EnsignEvent({ data: utf8.encode("x"), schemaVersion: "one" }))).code).toBe("VALIDATION");
  });

  it("an event over what the server receives (4 MiB per request) is refused before it is sent; the stream keeps going", async () => {
    const topic = uniqueTopic();
    await client.topics.create(topic);
    const sized = (bytes: number) => new EnsignEvent({ data: new Uint8Array(bytes), mimetype: "application/octet-stream" });
    const probe = MAX_PUBLISHABLE_EVENT_SIZE - 300;
    const envelope = encodeEvent(sized(probe).toWire()).byteLength - probe;
    const atLimit = sized(MAX_PUBLISHABLE_EVENT_SIZE - envelope);
    expect(encodeEvent(atLimit.toWire()).byteLength).toBe(MAX_PUBLISHABLE_EVENT_SIZE);
    const over = sized(MAX_PUBLISHABLE_EVENT_SIZE - envelope + 1);
    const after = json({ after: true });
    const sent = client.publisher.stats.sent;
    await client.publish(topic, [atLimit, over, after]);
    await atLimit.waitForAck();
    const error = await errorOf(over.waitForAck());
    expect(error).toBeInstanceOf(PublishTooLargeError);
    expect(error).toMatchObject({ code: "VALIDATION", size: MAX_PUBLISHABLE_EVENT_SIZE + 1, limit: MAX_PUBLISHABLE_EVENT_SIZE });
    await after.waitForAck();
    expect(client.publisher.stats.sent).toBe(sent + 2);
    expect(server.oversizedRequests).toBe(0);
  });

  it("an event over Ensign's own check is nacked MAX_EVENT_SIZE_EXCEEDED and the stream keeps going", async () => {
    // A stock server's 4 MiB receive limit stops any event over its 5,243,000-byte check first,
    // so the check is lowered here to reach the nack.
    const nacking = await emulator({ maxEventBytes: 64 * 1024 });
    const nackClient = clientFor(nacking);
    try {
      const topic = uniqueTopic();
      await nackClient.topics.create(topic);
      const justUnder = new EnsignEvent({ data: new Uint8Array(64 * 1024 - 64), mimetype: "application/octet-stream" });
      expect(encodeEvent(justUnder.toWire()).byteLength).toBeLessThanOrEqual(64 * 1024);
      const over = new EnsignEvent({ data: new Uint8Array(64 * 1024 + 1), mimetype: "application/octet-stream" });
      const after = json({ after: true });
      const nacked: Error[] = [];
      await nackClient.publish(topic, [justUnder, over, after], { onNack: (error) => nacked.push(error) });
      await justUnder.waitForAck();
      const error = await errorOf(over.waitForAck());
      expect(error).toBeInstanceOf(EventTooLargeError);
      expect(error.code).toBe("VALIDATION");
      expect(error.nackCode).toBe(NackCode.MAX_EVENT_SIZE_EXCEEDED);
      expect(over.nacked()).toBe(true);
      expect(over.error).toBe(error);
      await after.waitForAck();
      expect(nacked).toEqual([error]);
    } finally {
      await nackClient.close();
      await nacking.close();
    }
  });

  it("a topic created after the stream opened makes it drain and reopen", async () => {
    const first = uniqueTopic();
    await client.publish(first, [json({ a: 1 })], { ensureExists: true });
    await client.flush();
    const opened = client.publisher.stats.opened;
    // Created by this client: the stream is told to reopen.
    const second = uniqueTopic();
    await client.topics.create(second);
    const e2 = json({ b: 1 });
    await client.publish(second, e2);
    await e2.waitForAck();
    // Created by someone else: the stream finds out when an event's topic is not in its set.
    const other = clientFor(server);
    try {
      const third = uniqueTopic();
      const id = await other.topics.create(third);
      const e3 = json({ c: 1 });
      expect(client.topicCache.get(third)).toBeUndefined();
      await client.publish(id.id, e3);
      await e3.waitForAck();
      // The reopened stream's StreamReady taught the client the new topic's name.
      expect(client.topicCache.nameOf(client.topicCache.get(third)!)).toBe(third);
    } finally {
      await other.close();
    }
    expect(client.publisher.stats.opened).toBe(opened + 2);
    expect(client.publisher.stats.nacks).toBe(0);
  });

  it("a topic id the project does not have is nacked TOPIC_UNKNOWN after one reopen", async () => {
    const missing = ulidToString(newUlid());
    const event = json({ lost: true });
    await client.publish(missing, event);
    const error = await errorOf(event.waitForAck());
    expect(error).toBeInstanceOf(TopicUnavailableError);
    expect(error.nackName).toBe("TOPIC_UNKNOWN");
  });

  it("a throwing callback is reported to the client's logger, not allowed to break the stream", async () => {
    const topic = uniqueTopic();
    const records: LogRecord[] = [];
    client.logger = { log: (record) => records.push(record) };
    try {
      const a = json({ a: 1 });
      const b = json({ b: 2 });
      await client.publish(topic, [a, b], {
        ensureExists: true,
        onAck: () => {
          throw new Error("callback bug");
        },
      });
      await Promise.all([a.waitForAck(), b.waitForAck()]);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const failed = records.filter((r) => r.code === "ENSIGN_CALLBACK_FAILED");
      expect(failed.map((r) => r.level)).toEqual(["warn", "warn"]);
      expect(failed[0]!.message).toContain("callback bug");
    } finally {
      client.logger = silentLogger;
    }
  });

  it("close() flushes, then refuses", async () => {
    const other = clientFor(server);
    const topic = uniqueTopic();
    const events = Array.from({ length: 20 }, (_, n) => json({ n }));
    await other.publish(topic, events, { ensureExists: true });
    await other.close();
    expect(events.every((e) => e.acked())).toBe(true);
    expect((await errorOf(other.publish(topic, json({})))).code).toBe("CLOSED");
    await other.close();
  });
});
