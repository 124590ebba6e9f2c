import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isPartialAppendError, type PartialAppendError } from "../../src/core/errors.js";
import type { RecordedEvent } from "../../src/core/event.js";
import { prepareEvents } from "../../src/core/prepare.js";
import { CodecRegistry } from "../../src/core/codec.js";
import {
  MAX_PUBLISHABLE_EVENT_SIZE,
  PublishTooLargeError,
  createEnsignEventStream,
  type EnsignEventStream,
} from "../../src/adapters/ensign/index.js";
import { toEnsignEventBytes } from "../../src/adapters/ensign/event-mapping.js";
import { encodeMessage } from "../../src/adapters/ensign/wire/codec.js";
import { maxEventBytesFor, publishRequestBytes } from "../../src/adapters/ensign/wire/limits.js";
import type { EnsignServer } from "../../src/servers/ensign/index.js";
import { emulator, errorOf } from "./helpers.js";

const FOUR_MIB = 4 * 1024 * 1024;
const OCTETS = "application/octet-stream";

function open(on: EnsignServer): EnsignEventStream {
  return createEnsignEventStream({
    endpoint: on.endpoint,
    insecure: true,
    authUrl: on.authUrl,
    clientId: on.clientId,
    clientSecret: on.clientSecret,
    reconnect: { initialDelayMs: 10, maxDelayMs: 50, maxAttempts: 5 },
  });
}

async function read(from: EnsignEventStream, stream: string): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const event of from.read(stream)) events.push(event);
  return events;
}

let n = 0;
const streamIn = (category: string) => `${category}${process.pid}x${n++}-1`;

/**
 * Bytes the serialized Ensign event adds to its data, for an event of about `near` data bytes.
 * It depends on the clock's milliseconds (the `created` timestamp's nanos), so both extremes.
 */
function envelope(stream: string, near: number): { least: number; most: number } {
  const [prepared] = prepareEvents(stream, [{ type: "big", data: new Uint8Array(near), contentType: OCTETS }], new CodecRegistry());
  const size = (nanos: number) =>
    toEnsignEventBytes(stream, prepared!, { seconds: String(Math.floor(Date.now() / 1000)), nanos }).byteLength - near;
  return { least: size(0), most: size(999_000_000) };
}

describe("Ensign's per-event size limit is the real server's", () => {
  let server: EnsignServer;
  let store: EnsignEventStream;

  beforeAll(async () => {
    server = await emulator(); // the real server's limits: grpc-go's 4 MiB, Ensign's 5,243,000
    store = open(server);
  });
  afterAll(async () => {
    await store.close();
    await server.close();
  });

  it("is declared per event: the largest event whose publish request fits grpc-go's 4 MiB", () => {
    expect(store.capabilities).toMatchObject({ maxAppendBytes: 4_194_257, maxAppendBytesPer: "event" });
    expect(MAX_PUBLISHABLE_EVENT_SIZE).toBe(4_194_257);
    const request = (size: number) =>
      encodeMessage("ensign.v1beta1.PublisherRequest", {
        event: { topic_id: Buffer.alloc(16, 1), local_id: Buffer.alloc(16, 2), event: Buffer.alloc(size, 3) },
      }).byteLength;
    expect(request(MAX_PUBLISHABLE_EVENT_SIZE)).toBe(FOUR_MIB);
    expect(publishRequestBytes(MAX_PUBLISHABLE_EVENT_SIZE)).toBe(FOUR_MIB);
    expect(request(MAX_PUBLISHABLE_EVENT_SIZE + 1)).toBe(FOUR_MIB + 1);
  });

  it("an event just under the advertised limit appends and reads back", async () => {
    const stream = streamIn("under");
    const limit = store.capabilities.maxAppendBytes!;
    const dataBytes = limit - envelope(stream, limit - 300).most;
    const data = new Uint8Array(dataBytes).fill(7);
    await store.append(stream, [{ type: "big", data, contentType: OCTETS }]);
    const [event] = await read(store, stream);
    expect((event!.data as Uint8Array).byteLength).toBe(dataBytes);
    const stored = server.store.findByName(server.projectId, store.topicOf(stream))!;
    const sizes = stored.events.map((e) => e.event.byteLength);
    expect(Math.max(...sizes)).toBeGreaterThan(limit - 8);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(limit);
    expect(server.oversizedRequests).toBe(0);
  });

  it("an event whose serialized Ensign event is just over it is refused by core before anything of its batch is written", async () => {
    const stream = streamIn("over");
    const limit = store.capabilities.maxAppendBytes!;
    const dataBytes = limit - envelope(stream, limit - 300).least + 1;
    const sent = store.client.publisher.stats.sent;
    const error = await errorOf(
      store.append(stream, [
        { type: "small", data: {} },
        { type: "big", data: new Uint8Array(dataBytes), contentType: OCTETS },
      ]),
    );
    expect(error).toMatchObject({ code: "VALIDATION", field: "events[1]" });
    expect(Number(/is (\d+) bytes/.exec(error.message)?.[1])).toBeGreaterThan(limit);
    expect(error.message).toContain("at most 4194257 bytes per event");
    expect(store.client.publisher.stats.sent).toBe(sent);
    expect((await errorOf(read(store, stream))).code).toBe("STREAM_NOT_FOUND");
  });

  it("data alone over the limit is refused by core's per-event check; a batch larger in total is not", async () => {
    const stream = streamIn("scope");
    const limit = store.capabilities.maxAppendBytes!;
    const error = await errorOf(store.append(stream, [{ type: "big", data: new Uint8Array(limit + 1), contentType: OCTETS }]));
    expect(error).toMatchObject({ code: "VALIDATION", field: "events[0]" });
    expect(error.message).toContain("per event");
    const half = { type: "half", data: new Uint8Array(2_500_000), contentType: OCTETS };
    await store.append(stream, [half, half]);
    expect((await read(store, stream)).length).toBe(2);
  });
});

describe("a publish stream reset for size (the server's limit lower than the adapter believes)", () => {
  it("fails only the oversized event with PublishTooLargeError, never sends it again, and the stream keeps working", async () => {
    const limited = await emulator({ maxReceiveMessageBytes: 1024 * 1024 });
    const client = open(limited);
    try {
      const stream = streamIn("reset");
      const events = [
        { id: randomUUID(), type: "small", data: { n: 1 } },
        { id: randomUUID(), type: "huge", data: new Uint8Array(2_000_000), contentType: OCTETS },
        { id: randomUUID(), type: "small", data: { n: 2 } },
      ];
      // Another caller's append in flight at the same time is re-sent like on any reconnect.
      const beside = client.append(streamIn("beside"), [{ type: "beside", data: {} }]);
      const error = (await errorOf(client.append(stream, events))) as unknown as PartialAppendError;
      expect(isPartialAppendError(error)).toBe(true);
      expect(error.acknowledged).toEqual([events[0]!.id, events[2]!.id]);
      expect(error.failed).toEqual([events[1]!.id]);
      const cause = error.cause as PublishTooLargeError;
      expect(cause).toBeInstanceOf(PublishTooLargeError);
      expect(cause).toMatchObject({ code: "VALIDATION", limit: maxEventBytesFor(1024 * 1024) });
      expect(cause.size).toBeGreaterThan(2_000_000);
      expect(cause.message).toMatch(/reset the publish stream .*1048576-byte message limit.*not stored and is not sent again/);
      await beside;
      expect(limited.oversizedRequests).toBe(1);

      // Nothing re-sends it later, and the same EventStream goes on appending.
      await new Promise((resolve) => setTimeout(resolve, 200));
      await client.append(stream, [{ type: "after", data: {} }]);
      expect((await read(client, stream)).map((e) => e.type)).toEqual(["small", "small", "after"]);
      expect(limited.oversizedRequests).toBe(1);

      // The lower limit is kept: the publisher refuses the next such event before sending it.
      const again = await errorOf(client.append(stream, [{ type: "huge", data: new Uint8Array(2_000_000), contentType: OCTETS }]));
      expect(again).toBeInstanceOf(PublishTooLargeError);
      expect(again).toMatchObject({ code: "VALIDATION", limit: maxEventBytesFor(1024 * 1024) });
      expect(limited.oversizedRequests).toBe(1);
    } finally {
      await client.close();
      await limited.close();
    }
  });
});
