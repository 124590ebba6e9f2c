import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  EnsignEvent,
  InvalidQueryError,
  MIME_STRINGS,
  NackCode,
  NoRowsError,
  Publisher,
  Subscriber,
  TopicNotFoundError,
  publishes,
  publishesEach,
  subscribes,
  withEnsign,
  type Ensign,
} from "../../src/adapters/ensign/index.js";
import { topicNameHash } from "../../src/adapters/ensign/wire/topic-hash.js";
import type { EnsignServer } from "../../src/servers/ensign/index.js";
import { clientFor, emulator, errorOf, eventually, uniqueTopic, utf8 } from "./helpers.js";

let server: EnsignServer;
let client: Ensign;

beforeAll(async () => {
  server = await emulator();
  client = clientFor(server);
});
afterAll(async () => {
  await client.close();
  await server.close();
});

const text = (s: string) => new EnsignEvent({ data: utf8.encode(s), mimetype: "text/plain", schemaName: "Note", schemaVersion: "v2.1.0", meta: { k: s } });

async function take(subscription: AsyncIterable<EnsignEvent>, count: number): Promise<EnsignEvent[]> {
  const events: EnsignEvent[] = [];
  if (count === 0) return events;
  for await (const event of subscription) {
    events.push(event);
    if (events.length === count) break;
  }
  return events;
}

describe("pyensign-style publish, subscribe and query", () => {
  it("a subscriber receives what is published after it is ready, and acks or nacks each event", async () => {
    const topic = uniqueTopic();
    await client.topics.create(topic);
    const subscription = client.subscribe(topic);
    await subscription.ready;
    const received = take(subscription, 3);
    const sent = ["one", "two", "three"].map(text);
    await client.publish(topic, ...sent);
    const events = await received;
    expect(events.map((e) => e.decode())).toEqual(["one", "two", "three"]);
    expect(events[0]!.schema).toBe("Note v2.1.0");
    expect(events[0]!.meta).toEqual({ k: "one" });
    expect(events[0]!.mimetypeString).toBe("text/plain");
    expect(events.every((e) => e.state === "subscribed" && typeof e.id === "string")).toBe(true);
    expect(await events[0]!.ack()).toBe(true);
    expect(await events[0]!.ack()).toBe(true);
    expect(await events[0]!.nack(NackCode.UNPROCESSED)).toBe(false);
    expect(await events[1]!.nack(NackCode.UNPROCESSED)).toBe(true);
    expect(await events[1]!.ack()).toBe(false);
    expect(events[1]!.nacked()).toBe(true);
    expect(await sent[0]!.ack()).toBe(true); // published and acked by the server: already acked
    expect((await errorOf(text("never sent").ack())).code).toBe("VALIDATION");
    expect((await errorOf(text("never sent").nack(NackCode.UNPROCESSED))).code).toBe("VALIDATION");
    expect((await errorOf(() => client.subscribe())).code).toBe("VALIDATION");
  });

  it("query() gives a cursor: fetchOne, fetchMany, iteration; no rows and bad queries are typed errors", async () => {
    const topic = uniqueTopic();
    await client.topics.create(topic);
    expect(await errorOf(client.query(`SELECT * FROM ${topic}`))).toBeInstanceOf(NoRowsError);
    await client.publish(topic, ...Array.from({ length: 6 }, (_, i) => text(`n${i}`)));
    await client.flush();
    const cursor = await client.query(`SELECT * FROM ${topic} OFFSET 1 LIMIT 4`, { params: { x: 1, y: "s", z: true, w: 1.5, v: 2n } });
    expect((await cursor.fetchOne())!.decode()).toBe("n1");
    expect((await cursor.fetchMany(2)).map((e) => e.decode())).toEqual(["n2", "n3"]);
    const rest: unknown[] = [];
    for await (const event of cursor) rest.push(event.decode());
    expect(rest).toEqual(["n4"]);
    expect(await cursor.fetchOne()).toBeUndefined();
    expect(await errorOf(client.query("SELEKT nothing"))).toBeInstanceOf(InvalidQueryError);
    expect(await errorOf(client.query(`SELECT * FROM ${uniqueTopic("nosuch")}`))).toBeInstanceOf(InvalidQueryError);
    expect((await errorOf(client.query(""))).code).toBe("VALIDATION");
  });

  it("every MIME value survives a round trip through the server", async () => {
    const topic = uniqueTopic();
    const events = [...MIME_STRINGS.keys()].map((mimetype) => new EnsignEvent({ data: utf8.encode("x"), mimetype }));
    await client.publish(topic, events, { ensureExists: true });
    await Promise.all(events.map((e) => e.waitForAck()));
    const rows = await (await client.query(`SELECT * FROM ${topic}`)).fetchAll();
    expect(rows.map((r) => r.mimetype)).toEqual([...MIME_STRINGS.keys()]);
    expect(rows.map((r) => r.mimetypeString)).toEqual([...MIME_STRINGS.values()]);
  });

  it("topic management: list (paged), exists, retrieve, archive, destroy, info, status, name hashes", async () => {
    const names = [uniqueTopic("a"), uniqueTopic("b"), uniqueTopic("c")];
    for (const name of names) await client.topics.create(name);
    expect((await errorOf(client.topics.create(names[0]!))).code).toBe("VALIDATION");
    expect((await errorOf(client.topics.create("bad name!"))).code).toBe("VALIDATION");
    const listed: string[] = [];
    for await (const topic of client.topics.list(2)) listed.push(topic.name);
    expect(listed).toEqual(expect.arrayContaining(names));
    expect(await client.topics.exists(names[1]!)).toBe(true);
    expect(await client.topics.exists(uniqueTopic("never"))).toBe(false);
    const id = await client.topics.ensure(names[1]!);
    const retrieved = await client.topics.retrieve(id);
    expect(retrieved).toMatchObject({ id, name: names[1], state: "READY" });
    expect(await errorOf(client.topics.id(uniqueTopic("never")))).toBeInstanceOf(TopicNotFoundError);
    const hashes = new Map<string, string>();
    for await (const t of client.topics.topicNames()) hashes.set(t.topicId, t.nameHash);
    expect(hashes.get(id)).toBe(topicNameHash(names[1]!));
    await client.publish(names[2]!, text("counted"));
    await client.flush();
    const info = await client.topics.info([names[2]!]);
    expect(info.topics.length).toBe(1);
    expect(info.topics[0]!.events).toBe(1n);
    expect((await client.topics.status()).status).toBe("HEALTHY");
    expect(await client.topics.archive(names[0]!)).toBe("READONLY");
    expect(await client.topics.destroy(names[1]!)).toBe("DELETING");
    await eventually(async () => !(await client.topics.exists(names[1]!)), "destroyed topic to disappear");
  });
});

describe("pyensign's topic methods on the client", () => {
  it("createTopic, ensureTopic, topicExists, topicId, listTopics, retrieveTopic, archiveTopic, destroyTopic, info, status", async () => {
    const name = uniqueTopic("py");
    expect(await client.topicExists(name)).toBe(false);
    const created = await client.createTopic(name);
    expect(await client.ensureTopic(name)).toBe(created);
    expect(await client.topicId(name)).toBe(created);
    expect(await client.topicExists(name)).toBe(true);
    expect((await client.listTopics()).map((t) => t.name)).toContain(name);
    expect((await client.retrieveTopic(name)).id).toBe(created);
    const fresh = uniqueTopic("py");
    const ensured = await client.ensureTopic(fresh);
    expect(await client.topicId(fresh)).toBe(ensured);
    expect((await client.info()).numTopics).toBeGreaterThanOrEqual(2n);
    expect((await client.status()).version).not.toBe("");
    expect(await client.archiveTopic(name)).toBe("READONLY");
    expect(await client.destroyTopic(fresh)).toBe("DELETING");
  });
});

describe("pyensign decorators and classes, in TypeScript", () => {
  const options = () => ({ endpoint: server.endpoint, insecure: true, authUrl: server.authUrl, clientId: server.clientId, clientSecret: server.clientSecret });

  it("withEnsign + publishes: a function's result is published as JSON, text or bytes", async () => {
    const topic = uniqueTopic();
    const run = withEnsign(options(), async (ensign, n: number) => {
      const makeOrder = publishes(ensign, topic, (k: number) => ({ order: k }), { ensureExists: true });
      const makeNote = publishes(ensign, topic, () => "a note");
      const makeNothing = publishes(ensign, topic, () => undefined);
      const makeBytes = publishes(ensign, topic, () => new Uint8Array([1, 2]));
      expect(await makeOrder(n)).toEqual({ order: n });
      await makeNote();
      await makeNothing();
      await makeBytes();
      return ensign;
    });
    const used = await run(7);
    expect(used.closed).toBe(true);
    const rows = await (await client.query(`SELECT * FROM ${topic}`)).fetchAll();
    expect(rows.map((r) => r.mimetypeString)).toEqual(["application/json", "text/plain", "application/octet-stream"]);
    expect(rows.slice(0, 2).map((r) => r.decode())).toEqual([{ order: 7 }, "a note"]);
    expect([...(rows[2]!.decode() as Uint8Array)]).toEqual([1, 2]);
  });

  it("publishesEach publishes every yielded value; subscribes calls a handler per event", async () => {
    const topic = uniqueTopic();
    await client.topics.create(topic);
    const seen: unknown[] = [];
    const run = subscribes(client, [topic], (event) => {
      seen.push(event.decode());
    });
    await run.ready;
    const numbers = publishesEach(client, topic, async function* (count: number) {
      for (let i = 0; i < count; i++) yield { i };
    });
    const passedOn: unknown[] = [];
    for await (const value of numbers(3)) passedOn.push(value);
    expect(passedOn).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }]);
    await eventually(() => seen.length === 3, "3 events handled");
    expect(seen).toEqual(passedOn);
    await run.stop();
    await run.done;
  });

  it("Publisher.run publishes an iterator; a Subscriber subclass overrides onEvent", async () => {
    const topic = uniqueTopic();
    await client.topics.create(topic);
    class Collector extends Subscriber {
      readonly got: unknown[] = [];
      override async onEvent(event: EnsignEvent): Promise<void> {
        this.got.push(event.decode());
        await super.onEvent(event);
      }
    }
    const collector = new Collector([topic], options());
    const running = collector.run();
    await collector.ready;
    const count = await new Publisher(topic, options()).run(["a", "b", null, "c"]);
    expect(count).toBe(3);
    await eventually(() => collector.got.length === 3, "the collector to get 3 events");
    expect(collector.got).toEqual(["a", "b", "c"]);
    await collector.stop();
    await running;
    expect(collector.client.closed).toBe(true);
  });
});
