import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  TopicState,
  decodeEvent,
  encodeEvent,
  ulidToString,
  type EventWrapper,
  type PublisherReply,
  type Topic,
} from "../../../src/adapters/ensign/wire/index.js";
import { parseEnsql, startEnsignServer, type EnsignServer } from "../../../src/servers/ensign/index.js";
import { RawEnsignClient, eventually, login } from "./test-client.js";

describe("EnSQL parsing (the server's grammar and tokenizer)", () => {
  it("reads topic, schema, version, OFFSET and LIMIT", () => {
    expect(parseEnsql("SELECT * FROM events OFFSET 5 LIMIT 10;")).toMatchObject({ topic: "events", offset: 5, limit: 10 });
    expect(parseEnsql("select name AS n, age FROM people.Person.2 limit 3 offset 1")).toMatchObject({
      topic: "people",
      schema: "Person",
      version: 2,
      offset: 1,
      limit: 3,
    });
    expect(parseEnsql("SELECT * FROM events WHERE (a = 1 AND b != 'x') OR c >= 2 LIMIT 1")).toMatchObject({
      topic: "events",
      hasWhere: true,
      limit: 1,
    });
  });

  it("reproduces the tokenizer's quirks: dotted names split, reserved-word prefixes bite", () => {
    expect(parseEnsql("SELECT * FROM shop.items")).toMatchObject({ topic: "shop", schema: "items" });
    expect(() => parseEnsql("SELECT * FROM shop.orders")).toThrow("invalid schema identifier");
    expect(() => parseEnsql("SELECT * FROM orders")).toThrow('syntax error at position 14 near "OR": invalid topic identifier');
    expect(() => parseEnsql("SELECT * FROM assets")).toThrow("invalid topic identifier");
    expect(() => parseEnsql("SELECT * FROM true")).toThrow("invalid topic identifier");
    expect(parseEnsql("SELECT * FROM ledger_2")).toMatchObject({ topic: "ledger_2" });
  });

  it("rejects malformed statements with the server's messages", () => {
    expect(() => parseEnsql("   ")).toThrow("empty query is invalid");
    expect(() => parseEnsql("DELETE FROM x")).toThrow('syntax error at position 0 near "DELETE": invalid query type');
    expect(() => parseEnsql("SELECT FROM x")).toThrow("SELECT requires field projection or *");
    expect(() => parseEnsql("SELECT *, a FROM x")).toThrow("cannot select * and specify fields");
    expect(() => parseEnsql("SELECT * FROM x LIMIT -1")).toThrow("could not parse limit");
    expect(() => parseEnsql("SELECT * FROM x OFFSET 1 OFFSET 2")).toThrow("invalid offset clause");
    expect(() => parseEnsql("SELECT * FROM x LIMIT 1 LIMIT 2")).toThrow("invalid limit clause");
    expect(() => parseEnsql("SELECT * FROM x WHERE a = 'open")).toThrow("invalid where clause");
    expect(() => parseEnsql("SELECT *")).toThrow("invalid select fields statement");
  });
});

describe("Ensign emulator: EnSQL RPC", () => {
  let server: EnsignServer;
  let client: RawEnsignClient;
  let topic: Topic;
  const payloads = ["e0", "e1", "e0", "e3", "e1", "e5"];

  beforeAll(async () => {
    server = await startEnsignServer();
    client = new RawEnsignClient(server.endpoint, (await login(server)).access_token);
    topic = await client.unary<Topic>("CreateTopic", { name: "ledger" });
    const stream = client.bidi<unknown, PublisherReply>("Publish");
    stream.write({ open_stream: {} });
    await stream.reply(1);
    payloads.forEach((text, i) =>
      stream.write({ event: { topic_id: topic.id, local_id: Buffer.from([i]), event: encodeEvent({ data: Buffer.from(text), mimetype: 1 }) } }),
    );
    await stream.reply(1 + payloads.length);
    stream.end();
    await stream.finished();
  });

  afterAll(async () => {
    client.close();
    await server.close();
  });

  const query = (sql: string, includeDuplicates = false) =>
    client.serverStream<EventWrapper>("EnSQL", { query: sql, include_duplicates: includeDuplicates });
  const texts = (events: EventWrapper[]) => events.map((e) => Buffer.from(decodeEvent(e.event).data).toString());

  it("returns the topic's events in log order, honouring OFFSET and LIMIT", async () => {
    expect(texts(await query("SELECT * FROM ledger"))).toEqual(payloads);
    expect(texts(await query("SELECT * FROM ledger OFFSET 2 LIMIT 3"))).toEqual(["e0", "e3", "e1"]);
    expect(texts(await query("SELECT * FROM ledger LIMIT 2 OFFSET 4"))).toEqual(["e1", "e5"]);
    expect(await query("SELECT * FROM ledger OFFSET 6")).toEqual([]);
    // The server checks LIMIT after sending, so LIMIT 0 still yields one event.
    expect(texts(await query("SELECT * FROM ledger LIMIT 0"))).toEqual(["e0"]);
  });

  it("parses WHERE but does not evaluate it, like the real server", async () => {
    expect(texts(await query("SELECT * FROM ledger WHERE data = 'nothing matches' LIMIT 2"))).toEqual(["e0", "e1"]);
  });

  it("fails invalid queries and unknown topics with INVALID_ARGUMENT", async () => {
    await expect(query("")).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: "invalid query" });
    await expect(query("SELECT * FROM nosuch")).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: "unknown topic in query" });
    await expect(query("SELECT * FROM ledger LIMIT x")).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: 'syntax error at position 27 near "x": invalid limit',
    });
  });

  it("hides duplicates found by a deduplication policy unless include_duplicates, then dereferences them", async () => {
    const id = ulidToString(topic.id);
    await client.unary("SetTopicPolicy", { id, deduplication_policy: { strategy: 3, overwrite_duplicate: true } });
    await eventually(async () => (await client.unary<Topic>("RetrieveTopic", { id: topic.id })).status === TopicState.READY, "the rehash");
    expect(texts(await query("SELECT * FROM ledger"))).toEqual(["e0", "e1", "e3", "e5"]);
    const all = await query("SELECT * FROM ledger", true);
    expect(texts(all)).toEqual(payloads);
    const duplicate = all[2] as EventWrapper;
    expect(duplicate.is_duplicate).toBe(true);
    expect(Buffer.from(duplicate.duplicate_id).equals(Buffer.from((all[0] as EventWrapper).id))).toBe(true);
    // OFFSET counts stored events, duplicates included.
    expect(texts(await query("SELECT * FROM ledger OFFSET 2"))).toEqual(["e3", "e5"]);
  });
});
