import { randomUUID } from "node:crypto";
import {
  credentials as grpcCredentials,
  makeGenericClientConstructor,
  Metadata,
  status,
  type ClientDuplexStream,
  type ClientReadableStream,
  type ServiceError,
} from "@grpc/grpc-js";
import { ENSIGN_SERVICE, decodeEvent, encodeEvent, toTimestamp } from "../../src/adapters/ensign/wire/index.js";
import type { EventWrapper, PublisherReply, PublisherRequest, WireInput } from "../../src/adapters/ensign/wire/messages.js";
import type { BenchEvent, ServerInfo } from "../types.js";
import { ensignKeyFromEnv } from "./ensign-credentials.js";
import type { Subject } from "./subject.js";

const MIME_APPLICATION_JSON = 50;
const STREAM_KEY = "stream";
const ID_KEY = "id";

type UnaryCall = (request: unknown, metadata: Metadata, callback: (error: ServiceError | null, reply: unknown) => void) => void;
interface EnsignGrpcClient {
  Publish(metadata: Metadata): ClientDuplexStream<WireInput<PublisherRequest>, PublisherReply>;
  EnSQL(request: unknown, metadata: Metadata): ClientReadableStream<EventWrapper>;
  CreateTopic: UnaryCall;
  close(): void;
}

interface Pending {
  resolve(): void;
  reject(error: Error): void;
}

/**
 * A minimal hand-written Ensign client over grpc-js and our wire codecs: log in once, create the
 * topic, keep one Publish stream open and await each event's ack (matched by local id); read a
 * stream with one EnSQL query over its topic, keeping the stream's events. No reconnects, no
 * validation, no de-duplication: the network floor `ours-ensign` is measured against.
 */
export async function createEnsignRaw(server: ServerInfo): Promise<Subject> {
  const { clientId, clientSecret } = ensignKeyFromEnv();
  const authUrl = server.extra?.authUrl;
  if (!authUrl) throw new Error("ensign-raw needs the emulator's auth URL");
  const response = await fetch(`${authUrl}/v1/authenticate`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ client_id: clientId, client_secret: clientSecret }),
  });
  if (!response.ok) throw new Error(`ensign-raw: authenticate answered HTTP ${response.status}`);
  const { access_token: token } = (await response.json()) as { access_token: string };
  const metadata = () => {
    const m = new Metadata();
    m.set("authorization", `Bearer ${token}`);
    return m;
  };
  const Client = makeGenericClientConstructor(ENSIGN_SERVICE, "Ensign");
  const client = new Client(server.url, grpcCredentials.createInsecure()) as unknown as EnsignGrpcClient;

  const topicIds = new Map<string, Uint8Array>();
  const revisions = new Map<string, bigint>();
  const pending = new Map<number, Pending>();
  let nextLocalId = 1;
  let publish: ClientDuplexStream<WireInput<PublisherRequest>, PublisherReply> | undefined;

  let opening: Promise<unknown> = Promise.resolve();

  /** Topic id by name; creating a topic reopens the publish stream, one at a time. */
  function ensureTopic(topic: string): Promise<Uint8Array> {
    const known = topicIds.get(topic);
    if (known) return Promise.resolve(known);
    const next = opening.then(() => openTopic(topic));
    opening = next.catch(() => undefined);
    return next;
  }

  async function openTopic(topic: string): Promise<Uint8Array> {
    const known = topicIds.get(topic);
    if (known) return known;
    await new Promise<void>((resolve, reject) =>
      client.CreateTopic({ name: topic }, metadata(), (error) =>
        !error || error.code === status.ALREADY_EXISTS ? resolve() : reject(error),
      ),
    );
    // A publish stream fixes its topics when it opens: open a new one that includes this topic.
    publish?.end();
    const call = client.Publish(metadata());
    const ready = new Promise<Record<string, Uint8Array>>((resolve, reject) => {
      call.on("data", (reply: PublisherReply) => {
        if (reply.ready) return resolve(reply.ready.topics);
        const ack = reply.ack ?? reply.nack;
        if (!ack) return;
        const key = Buffer.from(ack.id).readUInt32BE(0);
        const waiter = pending.get(key);
        pending.delete(key);
        if (reply.ack) waiter?.resolve();
        else waiter?.reject(new Error(`nack ${reply.nack!.code}: ${reply.nack!.error}`));
      });
      call.on("error", (error: Error) => {
        reject(error);
        for (const waiter of pending.values()) waiter.reject(error);
        pending.clear();
      });
    });
    call.write({ open_stream: { client_id: clientId, topics: [...topicIds.keys(), topic] } });
    const topics = await ready;
    for (const [name, id] of Object.entries(topics)) topicIds.set(name, id);
    publish = call;
    const id = topicIds.get(topic);
    if (!id) throw new Error(`ensign-raw: the publish stream did not open topic ${topic}`);
    return id;
  }

  const topicOf = (stream: string) => stream.slice(0, Math.max(0, stream.indexOf("-"))) || stream;

  return {
    name: "ensign-raw",
    family: "ensign",
    expectedRevision: false,
    notes: ["hand-written grpc-js client: one Publish stream, await every ack; reads by one EnSQL query per stream"],
    async append(stream, events) {
      const topicId = await ensureTopic(topicOf(stream));
      const acks: Promise<void>[] = [];
      for (const event of events) {
        const localId = Buffer.alloc(4);
        const key = nextLocalId++;
        localId.writeUInt32BE(key, 0);
        acks.push(new Promise<void>((resolve, reject) => pending.set(key, { resolve, reject })));
        publish!.write({
          event: {
            topic_id: topicId,
            local_id: localId,
            event: encodeEvent({
              data: Buffer.from(JSON.stringify(event.data)),
              metadata: { [STREAM_KEY]: stream, [ID_KEY]: randomUUID() },
              mimetype: MIME_APPLICATION_JSON,
              type: { name: event.type, major_version: 1 },
              created: toTimestamp(new Date()),
            }),
          },
        });
      }
      await Promise.all(acks);
      const revision = (revisions.get(stream) ?? -1n) + BigInt(events.length);
      revisions.set(stream, revision);
      return revision;
    },
    conflictRevision: () => undefined,
    async read(stream) {
      let count = 0;
      const query = client.EnSQL({ query: `SELECT * FROM ${topicOf(stream)}` }, metadata());
      for await (const wrapper of query as AsyncIterable<EventWrapper>) {
        const event = decodeEvent(wrapper.event);
        if (event.metadata[STREAM_KEY] !== stream) continue;
        if ((JSON.parse(Buffer.from(event.data).toString("utf8")) as BenchEvent["data"]) !== undefined) count++;
      }
      return count;
    },
    async handle() {
      throw new Error("ensign-raw has no expected revisions, so no command handler");
    },
    async close() {
      publish?.end();
      client.close();
    },
  };
}
