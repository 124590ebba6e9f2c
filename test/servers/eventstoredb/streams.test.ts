import {
  BACKWARDS,
  DeadlineExceededError,
  END,
  EventStoreDBClient,
  MaxAppendSizeExceededError,
  StreamDeletedError,
  StreamNotFoundError,
  WrongExpectedVersionError,
  binaryEvent,
  jsonEvent,
  type AppendExpectedRevision,
  type ResolvedEvent,
} from "@eventstore/db-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEventStoreEmulator, type EventStoreEmulator } from "../../../src/servers/eventstoredb/index.js";
import { collect, revisionsOf, thrown, uniqueStream } from "./test-support.js";

let esdb: EventStoreEmulator;
let client: EventStoreDBClient;
// Per-call credentials make the 6.2.1 client use the classic client-streaming Append RPC instead
// of BatchAppend (on tls=false they are not sent, but they still select the code path).
const classic = { credentials: { username: "admin", password: "changeit" } };

beforeAll(async () => {
  esdb = await startEventStoreEmulator();
  client = EventStoreDBClient.connectionString(esdb.connectionString);
});

afterAll(async () => {
  await client?.dispose();
  await esdb?.close();
});

const event = (type = "Tested", data: Record<string, unknown> = {}) => jsonEvent({ type, data });

async function conflict(stream: string, expectedRevision: AppendExpectedRevision, viaAppend: boolean) {
  const error = await thrown(() =>
    client.appendToStream(stream, [event()], { expectedRevision, ...(viaAppend ? classic : {}) }),
  );
  expect(error).toBeInstanceOf(WrongExpectedVersionError);
  const wrong = error as WrongExpectedVersionError;
  return { expected: wrong.expectedVersion, actual: wrong.actualVersion, stream: wrong.streamName };
}

describe.each([
  ["BatchAppend", false],
  ["Append", true],
])("appends through %s", (_name, viaAppend) => {
  const options = viaAppend ? classic : {};

  it("numbers revisions from 0 and returns the next expected revision and a position", async () => {
    const stream = uniqueStream();
    const first = await client.appendToStream(stream, [event("A"), event("B")], { expectedRevision: "no_stream", ...options });
    expect(first.success).toBe(true);
    expect(first.nextExpectedRevision).toBe(1n);
    const second = await client.appendToStream(stream, [event("C")], { expectedRevision: 1n, ...options });
    expect(second.nextExpectedRevision).toBe(2n);
    expect(second.position!.commit).toBeGreaterThan(first.position!.commit);
    expect(second.position!.prepare).toBe(second.position!.commit);
    expect(await revisionsOf(client, stream)).toEqual([0n, 1n, 2n]);
  });

  it("reports expected and actual versions of a WrongExpectedVersion like the server", async () => {
    const existing = uniqueStream();
    await client.appendToStream(existing, [event(), event()], options);
    const missing = uniqueStream();
    expect(await conflict(existing, "no_stream", viaAppend)).toEqual({ expected: "no_stream", actual: 1n, stream: existing });
    expect(await conflict(existing, 5n, viaAppend)).toEqual({ expected: 5n, actual: 1n, stream: existing });
    expect(await conflict(existing, 0n, viaAppend)).toEqual({ expected: 0n, actual: 1n, stream: existing });
    expect(await conflict(missing, "stream_exists", viaAppend)).toEqual({
      expected: "stream_exists",
      actual: "no_stream",
      stream: missing,
    });
    expect(await conflict(missing, 0n, viaAppend)).toEqual({ expected: 0n, actual: "no_stream", stream: missing });
    expect(await revisionsOf(client, existing)).toEqual([0n, 1n]);
  });

  it("is idempotent on event ids at the same expected revision (no duplicates)", async () => {
    const stream = uniqueStream();
    const events = [event("A"), event("B")];
    const first = await client.appendToStream(stream, events, { expectedRevision: "no_stream", ...options });
    const retry = await client.appendToStream(stream, events, { expectedRevision: "no_stream", ...options });
    expect(retry.nextExpectedRevision).toBe(1n);
    expect(retry.position).toEqual(first.position);
    const retryAny = await client.appendToStream(stream, events, { expectedRevision: "any", ...options });
    expect(retryAny.nextExpectedRevision).toBe(1n);
    expect(await revisionsOf(client, stream)).toEqual([0n, 1n]);
  });

  it("refuses appends above MaxAppendSize (1,048,576 bytes) and writes nothing", async () => {
    const stream = uniqueStream();
    const big = binaryEvent({ type: "Big", data: new Uint8Array(600_000) });
    const error = await thrown(() =>
      client.appendToStream(stream, [big, binaryEvent({ type: "Big", data: new Uint8Array(600_000) })], options),
    );
    expect(error).toBeInstanceOf(MaxAppendSizeExceededError);
    expect((error as MaxAppendSizeExceededError).maxAppendSize).toBe(1_048_576);
    expect(await thrown(() => revisionsOf(client, stream))).toBeInstanceOf(StreamNotFoundError);
  });

  it("refuses appends to a tombstoned stream with StreamDeletedError", async () => {
    const stream = uniqueStream();
    await client.appendToStream(stream, [event()], options);
    await client.tombstoneStream(stream);
    const error = await thrown(() => client.appendToStream(stream, [event()], options));
    expect(error).toBeInstanceOf(StreamDeletedError);
    expect((error as StreamDeletedError).streamName).toBe(stream);
  });
});

describe("BatchAppend multiplexing", () => {
  it("accumulates chunks per correlation id, with concurrent appends interleaved on one call", async () => {
    const streams = [uniqueStream(), uniqueStream(), uniqueStream()];
    // batchAppendSize 100 bytes: every event travels in its own chunk, options on the first only.
    const results = await Promise.all(
      streams.map((stream, s) =>
        client.appendToStream(
          stream,
          Array.from({ length: 8 }, (_, n) => event("Chunked", { s, n, pad: "x".repeat(40) })),
          { expectedRevision: "no_stream", batchAppendSize: 100 },
        ),
      ),
    );
    expect(results.map((result) => result.nextExpectedRevision)).toEqual([7n, 7n, 7n]);
    for (const [s, stream] of streams.entries()) {
      const read = await collect<ResolvedEvent>(client.readStream(stream));
      expect(read.map((e) => (e.event!.data as { s: number; n: number }).n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      expect(read.every((e) => (e.event!.data as { s: number }).s === s)).toBe(true);
      const positions = read.map((e) => e.event!.position!.commit);
      // One batch is one contiguous commit in the log.
      const all = await collect<ResolvedEvent>(client.readAll({ fromPosition: read[0]!.event!.position!, maxCount: 8 }));
      expect(all.map((e) => e.event!.position!.commit)).toEqual(positions);
    }
  });
});

describe("reads", () => {
  it("reads a stream in both directions with counts and revisions", async () => {
    const stream = uniqueStream();
    await client.appendToStream(stream, [0, 1, 2, 3, 4].map((n) => event("N", { n })));
    const forward = await collect<ResolvedEvent>(client.readStream(stream, { fromRevision: 1n, maxCount: 2 }));
    expect(forward.map((e) => e.event!.data)).toEqual([{ n: 1 }, { n: 2 }]);
    const backward = await collect<ResolvedEvent>(
      client.readStream(stream, { direction: BACKWARDS, fromRevision: END, maxCount: 3 }),
    );
    expect(backward.map((e) => e.event!.revision)).toEqual([4n, 3n, 2n]);
    const backwardFrom = await collect<ResolvedEvent>(client.readStream(stream, { direction: BACKWARDS, fromRevision: 1n }));
    expect(backwardFrom.map((e) => e.event!.revision)).toEqual([1n, 0n]);
    const recorded = forward[0]!.event!;
    expect(recorded.streamId).toBe(stream);
    expect(recorded.type).toBe("N");
    expect(recorded.isJson).toBe(true);
    expect(recorded.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(Math.abs(recorded.created.getTime() - Date.now())).toBeLessThan(60_000);
  });

  it("returns binary data and custom metadata unchanged", async () => {
    const stream = uniqueStream();
    const data = Uint8Array.from([0, 1, 2, 250, 255]);
    await client.appendToStream(stream, [binaryEvent({ type: "Bin", data, metadata: { trace: "t-1" } })]);
    const [read] = await collect<ResolvedEvent>(client.readStream(stream));
    expect(read!.event!.isJson).toBe(false);
    expect(Array.from(read!.event!.data as Uint8Array)).toEqual(Array.from(data));
    expect(read!.event!.metadata).toEqual({ trace: "t-1" });
  });

  it("answers StreamNotFoundError for a missing stream", async () => {
    const error = await thrown(() => revisionsOf(client, uniqueStream()));
    expect(error).toBeInstanceOf(StreamNotFoundError);
  });

  it("keeps $all ordered by commit/prepare position, with system events, in both directions", async () => {
    const stream = uniqueStream();
    await client.appendToStream(stream, [event("A"), event("B"), event("C")]);
    const all = await collect<ResolvedEvent>(client.readAll({ maxCount: 100_000 }));
    const positions = all.map((e) => e.event!.position!.commit);
    expect(positions).toEqual([...positions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(new Set(positions).size).toBe(positions.length);
    for (const e of all) expect(e.event!.position!.prepare).toBe(e.event!.position!.commit);
    expect(all.some((e) => e.event!.type.startsWith("$"))).toBe(true);
    expect(all.filter((e) => e.event!.streamId === stream).map((e) => e.event!.type)).toEqual(["A", "B", "C"]);
    const backwards = await collect<ResolvedEvent>(client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 3 }));
    expect(backwards.map((e) => e.event!.type)).toEqual(["C", "B", "A"]);
    const third = all.at(-3)!.event!.position!;
    const fromPosition = await collect<ResolvedEvent>(client.readAll({ fromPosition: third, maxCount: 2 }));
    expect(fromPosition.map((e) => e.event!.type)).toEqual(["A", "B"]);
    const before = await collect<ResolvedEvent>(client.readAll({ direction: BACKWARDS, fromPosition: third, maxCount: 1 }));
    expect(before[0]!.event!.position!.commit).toBeLessThan(third.commit);
  });
});

describe("links", () => {
  it("resolves $> links when asked to, and returns the link record itself otherwise", async () => {
    const target = uniqueStream("target");
    const links = uniqueStream("links");
    await client.appendToStream(target, [event("Zero"), event("One")]);
    await client.appendToStream(links, [
      binaryEvent({ type: "$>", data: Buffer.from(`1@${target}`) }),
      binaryEvent({ type: "$>", data: Buffer.from(`7@${target}`) }),
    ]);
    const resolved = await collect<ResolvedEvent>(client.readStream(links, { resolveLinkTos: true }));
    expect(resolved[0]!.event!.type).toBe("One");
    expect(resolved[0]!.event!.streamId).toBe(target);
    expect(resolved[0]!.link!.type).toBe("$>");
    expect(resolved[0]!.link!.streamId).toBe(links);
    // A dangling link comes back as the link alone.
    expect(resolved[1]!.event).toBeUndefined();
    expect(resolved[1]!.link!.revision).toBe(1n);
    const raw = await collect<ResolvedEvent>(client.readStream(links));
    expect(raw.map((e) => [e.event!.type, e.link])).toEqual([
      ["$>", undefined],
      ["$>", undefined],
    ]);
  });
});

describe("deadlines", () => {
  it("answers a BatchAppend whose deadline already passed with a packed Timeout (DeadlineExceededError)", async () => {
    const error = await thrown(() => client.appendToStream(uniqueStream(), [event()], { deadline: -1 }));
    expect(error).toBeInstanceOf(DeadlineExceededError);
  });
});

describe("abandoned reads", () => {
  it("reads left after the first event are cancelled and the connection keeps serving", async () => {
    const stream = uniqueStream();
    await client.appendToStream(stream, Array.from({ length: 50 }, (_, n) => event("N", { n })));
    for (let i = 0; i < 100; i++) {
      for await (const resolved of client.readAll({ maxCount: 100_000 })) {
        expect(resolved.event).toBeDefined();
        break;
      }
    }
    expect(await revisionsOf(client, stream)).toHaveLength(50);
  });
});

describe("delete and tombstone", () => {
  it("soft delete hides the stream; a new append continues the revisions", async () => {
    const stream = uniqueStream();
    await client.appendToStream(stream, [event(), event()]);
    const deleted = await client.deleteStream(stream, { expectedRevision: 1n });
    expect(deleted.position).toBeDefined();
    expect(await thrown(() => revisionsOf(client, stream))).toBeInstanceOf(StreamNotFoundError);
    const recreated = await client.appendToStream(stream, [event(), event(), event()], { expectedRevision: "no_stream" });
    expect(recreated.nextExpectedRevision).toBe(4n);
    expect(await revisionsOf(client, stream)).toEqual([2n, 3n, 4n]);
  });

  it("soft-deleted streams accept the old last revision as expected revision", async () => {
    const stream = uniqueStream();
    await client.appendToStream(stream, [event(), event()]);
    await client.deleteStream(stream);
    await client.appendToStream(stream, [event()], { expectedRevision: 1n });
    expect(await revisionsOf(client, stream)).toEqual([2n]);
  });

  it("delete with a wrong expected revision raises WrongExpectedVersionError from the trailers", async () => {
    const stream = uniqueStream();
    await client.appendToStream(stream, [event(), event()]);
    const error = await thrown(() => client.deleteStream(stream, { expectedRevision: "no_stream" }));
    expect(error).toBeInstanceOf(WrongExpectedVersionError);
    expect((error as WrongExpectedVersionError).expectedVersion).toBe(-1n);
    expect((error as WrongExpectedVersionError).actualVersion).toBe(1n);
    const missing = await thrown(() => client.deleteStream(uniqueStream(), { expectedRevision: "no_stream" }));
    expect((missing as WrongExpectedVersionError).actualVersion).toBe(-1n);
  });

  it("tombstone checks expected revisions like a write: no_stream on a never-written stream succeeds", async () => {
    const fresh = uniqueStream();
    await client.tombstoneStream(fresh, { expectedRevision: "no_stream" });
    expect(await thrown(() => revisionsOf(client, fresh))).toBeInstanceOf(StreamDeletedError);
    const existing = uniqueStream();
    await client.appendToStream(existing, [event(), event()]);
    const error = await thrown(() => client.tombstoneStream(existing, { expectedRevision: 0n }));
    expect(error).toBeInstanceOf(WrongExpectedVersionError);
    expect((error as WrongExpectedVersionError).expectedVersion).toBe(0n);
    expect((error as WrongExpectedVersionError).actualVersion).toBe(1n);
    await client.tombstoneStream(existing, { expectedRevision: 1n });
  });

  it("a tombstoned stream refuses reads, deletes and appends forever", async () => {
    const stream = uniqueStream();
    await client.appendToStream(stream, [event()]);
    await client.tombstoneStream(stream);
    expect(await thrown(() => revisionsOf(client, stream))).toBeInstanceOf(StreamDeletedError);
    expect(await thrown(() => client.deleteStream(stream))).toBeInstanceOf(StreamDeletedError);
    expect(await thrown(() => client.tombstoneStream(stream))).toBeInstanceOf(StreamDeletedError);
    const all = await collect<ResolvedEvent>(client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 }));
    expect(all[0]!.event!.type).toBe("$streamDeleted");
    expect(all[0]!.event!.streamId).toBe(stream);
  });
});
