import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  TopicModOperation,
  TopicState,
  newUlid,
  topicNameHash,
  ulidToString,
  type ProjectInfo,
  type PublisherReply,
  type Topic,
  type TopicExistsInfo,
  type TopicNamesPage,
  type TopicsPage,
  type TopicStatus,
} from "../../../src/adapters/ensign/wire/index.js";
import { encodeEvent } from "../../../src/adapters/ensign/wire/index.js";
import { startEnsignServer, type EnsignServer } from "../../../src/servers/ensign/index.js";
import { RawEnsignClient, eventually, login } from "./test-client.js";

describe("Ensign emulator: topic management, info and status", () => {
  let server: EnsignServer;
  let client: RawEnsignClient;

  beforeAll(async () => {
    server = await startEnsignServer({
      clients: [
        { clientId: "main", clientSecret: "main-secret" },
        { clientId: "other-project", clientSecret: "other-secret", projectId: ulidToString(newUlid()) },
      ],
    });
    client = new RawEnsignClient(server.endpoint, (await login(server)).access_token);
  });

  afterAll(async () => {
    client.close();
    await server.close();
  });

  it("creates topics with server ids, READY state and the default deduplication policy", async () => {
    const topic = await client.unary<Topic>("CreateTopic", { name: "testing.topics.topica" });
    expect(topic.id).toHaveLength(16);
    expect(ulidToString(topic.project_id)).toBe(server.projectId);
    expect(topic.status).toBe(TopicState.READY);
    expect(topic.deduplication).toEqual({ strategy: 1, offset: 1, keys: [], fields: [], overwrite_duplicate: false });
    expect(topic.created).not.toBeNull();
    const again = await client.unary<Topic>("RetrieveTopic", { id: topic.id });
    expect(again.name).toBe("testing.topics.topica");
  });

  it("enforces the topic name rules and per-project uniqueness", async () => {
    const invalid = { code: grpc.status.INVALID_ARGUMENT };
    await expect(client.unary("CreateTopic", { name: "" })).rejects.toMatchObject({ ...invalid, details: "missing name field" });
    for (const name of ["1abc", "-abc", "has space", "ünicode", "a/b", ".dot"]) {
      await expect(client.unary("CreateTopic", { name })).rejects.toMatchObject({ ...invalid, details: "topic name is invalid" });
    }
    await expect(client.unary("CreateTopic", { name: `a${"b".repeat(512)}` })).rejects.toMatchObject({
      ...invalid,
      details: "topic name is too long",
    });
    await expect(client.unary("CreateTopic", { name: `a${"b".repeat(511)}` })).resolves.toMatchObject({ status: TopicState.READY });
    await expect(client.unary("CreateTopic", { name: "A_b-c.D9" })).resolves.toBeDefined();
    await expect(client.unary("CreateTopic", { name: "A_b-c.D9" })).rejects.toMatchObject({
      code: grpc.status.ALREADY_EXISTS,
      details: "topic name already exists in project",
    });
    await expect(client.unary("CreateTopic", { name: "a_b-c.d9" })).resolves.toBeDefined(); // case-sensitive
    await expect(client.unary("CreateTopic", { name: "x", project_id: newUlid() })).rejects.toMatchObject({
      code: grpc.status.PERMISSION_DENIED,
    });
  });

  it("pages ListTopics in id order", async () => {
    const other = new RawEnsignClient(server.endpoint, (await login(server, 1)).access_token);
    for (const name of ["p1", "p2", "p3", "p4", "p5"]) await other.unary("CreateTopic", { name });
    const seen: string[] = [];
    let token = "";
    let pages = 0;
    do {
      const page = await other.unary<TopicsPage>("ListTopics", { page_size: 2, next_page_token: token });
      seen.push(...page.topics.map((t) => t.name));
      token = page.next_page_token;
      pages++;
    } while (token !== "");
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual(["p1", "p2", "p3", "p4", "p5"]);
    const all = await other.unary<TopicsPage>("ListTopics", {});
    expect(all.topics).toHaveLength(5);
    expect(all.next_page_token).toBe("");
    const ids = all.topics.map((t) => ulidToString(t.id));
    expect([...ids].sort()).toEqual(ids);
    await expect(other.unary("ListTopics", { next_page_token: "garbage" })).rejects.toMatchObject({ code: grpc.status.INTERNAL });
    other.close();
  });

  it("returns murmur3 name hashes (sheet vectors) from TopicNames, not names", async () => {
    await client.unary("CreateTopic", { name: "testing.topics.topicb" });
    await client.unary("CreateTopic", { name: "testing.topics.topicc" });
    const names: TopicNamesPage["topic_names"] = [];
    let token = "";
    do {
      const page = await client.unary<TopicNamesPage>("TopicNames", { page_size: 3, next_page_token: token });
      names.push(...page.topic_names);
      token = page.next_page_token;
    } while (token !== "");
    const hashes = names.map((n) => n.name);
    expect(hashes).toEqual(expect.arrayContaining(["IdTcxHgZmlLM8oBj_YytLw", "F7x4fhbO4EhHVNDmBjMRIQ", "YuxuzM--ndLwlQX0kqnOBw"]));
    expect(hashes).not.toContain("testing.topics.topica");
    const topicA = names.find((n) => n.name === topicNameHash("testing.topics.topica"));
    expect(topicA?.project_id).toBe(server.projectId);
    expect(topicA?.topic_id).toMatch(/^[0-9A-Z]{26}$/);
    const sorted = [...hashes].sort((a, b) => Buffer.compare(Buffer.from(a, "base64url"), Buffer.from(b, "base64url")));
    expect(hashes).toEqual(sorted);
  });

  it("answers TopicExists with the server's query strings", async () => {
    const topic = await client.unary<Topic>("CreateTopic", { name: "exists.check" });
    const id = ulidToString(topic.id);
    await expect(client.unary<TopicExistsInfo>("TopicExists", { name: "exists.check" })).resolves.toEqual({
      query: 'name="exists.check"',
      exists: true,
    });
    await expect(client.unary<TopicExistsInfo>("TopicExists", { topic_id: id })).resolves.toEqual({ query: `topic="${id}"`, exists: true });
    await expect(client.unary<TopicExistsInfo>("TopicExists", { name: "nope", topic_id: id })).resolves.toEqual({
      query: `name="nope" and topic="${id}"`,
      exists: false,
    });
    await expect(client.unary("TopicExists", {})).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: "must specify either or both topic name and id",
    });
  });

  it("retrieves within the caller's project only", async () => {
    await expect(client.unary("RetrieveTopic", {})).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: "missing topic id field" });
    await expect(client.unary("RetrieveTopic", { id: Buffer.from([1]) })).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    await expect(client.unary("RetrieveTopic", { id: newUlid() })).rejects.toMatchObject({ code: grpc.status.NOT_FOUND, details: "topic not found" });
    const other = new RawEnsignClient(server.endpoint, (await login(server, 1)).access_token);
    const theirs = await other.unary<TopicsPage>("ListTopics", {});
    await expect(client.unary("RetrieveTopic", { id: theirs.topics[0]?.id })).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
    other.close();
  });

  it("archives (readonly) and destroys (DELETING, then gone and the name free) topics", async () => {
    const topic = await client.unary<Topic>("CreateTopic", { name: "to.archive" });
    const id = ulidToString(topic.id);
    await expect(client.unary("DeleteTopic", { id, operation: TopicModOperation.NOOP })).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: "invalid operation field",
    });
    await expect(client.unary("DeleteTopic", { id: "nope", operation: TopicModOperation.ARCHIVE })).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: "invalid id field",
    });
    await expect(client.unary<TopicStatus>("DeleteTopic", { id, operation: TopicModOperation.ARCHIVE })).resolves.toEqual({
      id,
      state: TopicState.READONLY,
    });
    expect((await client.unary<Topic>("RetrieveTopic", { id: topic.id })).readonly).toBe(true);
    const info = await client.unary<ProjectInfo>("Info", {});
    expect(Number(info.num_readonly_topics)).toBeGreaterThanOrEqual(1);

    await expect(client.unary<TopicStatus>("DeleteTopic", { id, operation: TopicModOperation.DESTROY })).resolves.toEqual({
      id,
      state: TopicState.DELETING,
    });
    await eventually(async () => {
      const exists = await client.unary<TopicExistsInfo>("TopicExists", { name: "to.archive" });
      return !exists.exists;
    }, "the destroyed topic to disappear");
    await expect(client.unary("RetrieveTopic", { id: topic.id })).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
    await expect(client.unary("CreateTopic", { name: "to.archive" })).resolves.toBeDefined();
  });

  it("reports event counts and sizes in Info, filtered by topic id", async () => {
    const topic = await client.unary<Topic>("CreateTopic", { name: "info.topic" });
    const stream = client.bidi<unknown, PublisherReply>("Publish");
    stream.write({ open_stream: {} });
    await stream.reply(1);
    const payload = encodeEvent({ data: Buffer.from("12345"), mimetype: 1, type: { name: "T", major_version: 2 } });
    for (let i = 0; i < 3; i++) stream.write({ event: { topic_id: topic.id, local_id: Buffer.from([i]), event: payload } });
    await stream.reply(4);
    stream.end();
    await stream.finished();
    const info = await client.unary<ProjectInfo>("Info", { topics: [topic.id] });
    expect(info).toMatchObject({ num_topics: "1", events: "3", duplicates: "0", data_size_bytes: String(3 * payload.length) });
    expect(info.topics[0]?.types).toEqual([
      expect.objectContaining({ type: { name: "T", major_version: 2, minor_version: 0, patch_version: 0 }, mimetype: 1, events: "3" }),
    ]);
    expect(info.topics[0]?.event_offset_id).toHaveLength(10);
    await expect(client.unary("Info", { topics: [Buffer.from([1, 2])] })).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: "could not parse topic id in info request filter",
    });
  });

  it("validates topic policies and refuses sharding changes", async () => {
    const topic = await client.unary<Topic>("CreateTopic", { name: "policy.topic" });
    const id = ulidToString(topic.id);
    await expect(client.unary("SetTopicPolicy", { id })).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: "no policies defined to set on topic",
    });
    await expect(client.unary("SetTopicPolicy", { id, deduplication_policy: { strategy: 5 } })).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: "no keys specified for key based hashing",
    });
    await expect(client.unary("SetTopicPolicy", { id, sharding_strategy: 2 })).rejects.toMatchObject({ code: grpc.status.UNIMPLEMENTED });
    await expect(client.unary<TopicStatus>("SetTopicPolicy", { id, deduplication_policy: { strategy: 1 } })).resolves.toEqual({
      id,
      state: TopicState.READY,
    });
    await expect(client.unary<TopicStatus>("SetTopicPolicy", { id, deduplication_policy: { strategy: 3 } })).resolves.toEqual({
      id,
      state: TopicState.PENDING,
    });
  });

  it("leaves Explain unimplemented and honours maintenance mode", async () => {
    await expect(client.unary("Explain", { query: "SELECT * FROM x" })).rejects.toMatchObject({ code: grpc.status.UNIMPLEMENTED });
    server.setMaintenance(true);
    try {
      await expect(client.unary("ListTopics", {})).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
      await expect(client.unary("Status", {})).resolves.toMatchObject({ status: 5 });
    } finally {
      server.setMaintenance(false);
    }
  });
});
