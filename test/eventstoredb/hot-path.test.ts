// The append and read fast paths: what they store must be exactly what the official client
// stores, and the single iterator over a client read must still clean up its gRPC call.
import { EventStoreDBClient, jsonEvent, START, type ResolvedEvent } from "@eventstore/db-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CodecRegistry, type Codec } from "../../src/core/codec.js";
import { isSerializationError, isValidationError } from "../../src/core/errors.js";
import { createEventStoreDBEventStream, type EventStoreDBEventStream } from "../../src/adapters/eventstoredb/index.js";
import { startEventStoreEmulator, type EventStoreEmulator } from "../../src/servers/eventstoredb/index.js";
import type { StoredEvent } from "../../src/servers/eventstoredb/store.js";
import { PassThrough } from "node:stream";
import type { StreamingRead } from "@eventstore/db-client";
import { ClientRead } from "../../src/adapters/eventstoredb/drain.js";
import { collect, rejection, uniqueStream } from "./support.js";

let emulator: EventStoreEmulator;
let store: EventStoreDBEventStream;
let raw: EventStoreDBClient;

beforeAll(async () => {
  emulator = await startEventStoreEmulator();
  raw = EventStoreDBClient.connectionString(emulator.connectionString);
  store = createEventStoreDBEventStream({ config: { hosts: [{ host: "127.0.0.1", port: emulator.port }], tls: false } });
});

afterAll(async () => {
  await store.close();
  await raw.dispose();
  await emulator.close();
});

function storedIn(stream: string): readonly StoredEvent[] {
  return emulator.store.readableEvents(stream) ?? [];
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe("EventStoreDB hot paths", () => {
  const payloads: unknown[] = [
    { productId: "p-1", quantity: 2, price: 10.5, tags: ["a", "ü", "😀"], nested: { ok: true, none: null } },
    [1, "two", { three: 3 }],
    "a string",
    42,
    { big: 1e21, small: 5e-7, negZero: -0, escaped: 'quote " backslash \\ newline \n' },
  ];

  it("JSON events are stored byte for byte as the official client stores them (content type, data, metadata)", async () => {
    const ours = uniqueStream("ours");
    const theirs = uniqueStream("raw");
    await store.append(ours, payloads.map((data, i) => ({ type: `T${i}`, data })));
    await raw.appendToStream(
      theirs,
      payloads.map((data, i) => jsonEvent({ type: `T${i}`, data: data as never })),
    );
    const mine = storedIn(ours);
    const reference = storedIn(theirs);
    expect(mine).toHaveLength(payloads.length);
    for (let i = 0; i < payloads.length; i++) {
      expect(mine[i]!.contentType).toBe("application/json");
      expect(mine[i]!.type).toBe(reference[i]!.type);
      expect(text(mine[i]!.data)).toBe(text(reference[i]!.data));
      expect(Buffer.compare(Buffer.from(mine[i]!.data), Buffer.from(reference[i]!.data))).toBe(0);
      expect(mine[i]!.customMetadata.byteLength).toBe(0);
      expect(reference[i]!.customMetadata.byteLength).toBe(0);
    }
  });

  it("events appended through the adapter read back through the official client as ordinary JSON events", async () => {
    const stream = uniqueStream();
    const metadata = { correlationId: "c-1", tenant: "acme" };
    await store.append(stream, payloads.map((data, i) => ({ type: `T${i}`, data, metadata })));
    const records = (await collect<ResolvedEvent>(raw.readStream(stream, { fromRevision: START }))).map((r) => r.event!);
    expect(records.map((r) => r.isJson)).toEqual(payloads.map(() => true));
    expect(records.map((r) => r.data)).toEqual(JSON.parse(JSON.stringify(payloads)));
    expect(records.map((r) => r.metadata)).toEqual(payloads.map(() => ({ tenant: "acme", $correlationId: "c-1" })));
    // Metadata handed over as bytes: the same JSON text the client would have written.
    expect(text(storedIn(stream)[0]!.customMetadata)).toBe(JSON.stringify({ tenant: "acme", $correlationId: "c-1" }));
  });

  it("a caller mutating its data after append() has returned a promise does not change what is stored", async () => {
    const stream = uniqueStream();
    const data = { n: 1, list: [1] };
    const appended = store.append(stream, [{ type: "m", data }]);
    data.n = 2;
    data.list.push(2);
    await appended;
    expect(JSON.parse(text(storedIn(stream)[0]!.data))).toEqual({ n: 1, list: [1] });
  });

  it("reads deliver every event in order; validation failures surface on iteration", async () => {
    const stream = uniqueStream();
    const count = 250;
    for (let i = 0; i < count; i += 100) {
      await store.append(stream, Array.from({ length: Math.min(100, count - i) }, (_, k) => ({ type: "n", data: { i: i + k } })));
    }
    const events = await collect(store.read(stream));
    expect(events.map((e) => e.data)).toEqual(Array.from({ length: count }, (_, i) => ({ i })));
    expect(events.map((e) => e.revision)).toEqual(Array.from({ length: count }, (_, i) => BigInt(i)));
    expect(events.every((e) => e.contentType === "application/json" && e.schemaVersion === 1)).toBe(true);
    // Validation runs on iteration, like any other read failure.
    const invalid = store.read("");
    await expect(collect(invalid)).rejects.toSatisfy(isValidationError);
  });

  it("a decoding failure in the middle of a long read rejects with a SerializationError after the events before it", async () => {
    const failing: Codec = {
      contentType: "text/x-fails",
      encode: (data) => new TextEncoder().encode(String(data)),
      decode: (bytes) => {
        if (text(bytes) === "bad") throw new Error("cannot decode");
        return text(bytes);
      },
    };
    const own = createEventStoreDBEventStream({
      config: { hosts: [{ host: "127.0.0.1", port: emulator.port }], tls: false },
      codecs: new CodecRegistry().register(failing),
    });
    const stream = uniqueStream();
    // ~2 MB, so the call is still streaming when the reader fails.
    const padding = "p".repeat(1000);
    const events = Array.from({ length: 2000 }, (_, i) => ({ type: "x", data: i === 5 ? "bad" : `ok${i}`, contentType: "text/x-fails" }));
    for (let i = 0; i < events.length; i += 200) {
      await own.append(stream, events.slice(i, i + 200).map((e) => ({ ...e, metadata: { padding } })));
    }
    const seen: unknown[] = [];
    const error = await rejection(async () => {
      for await (const event of own.read(stream)) seen.push(event.data);
    });
    expect(isSerializationError(error)).toBe(true);
    expect(seen).toEqual(["ok0", "ok1", "ok2", "ok3", "ok4"]);
    expect((await collect(own.read(stream, { from: 1990n }))).map((e) => e.data)).toHaveLength(10);
    await own.close();
  });

  it("stopping early cancels the call; a bounded read that got everything is left to end", async () => {
    const stream = uniqueStream();
    await store.append(stream, Array.from({ length: 50 }, (_, i) => ({ type: "n", data: i })));
    const firstThree: unknown[] = [];
    for await (const event of store.read(stream)) {
      firstThree.push(event.data);
      if (firstThree.length === 3) break;
    }
    expect(firstThree).toEqual([0, 1, 2]);
    const bounded: unknown[] = [];
    for await (const event of store.read(stream, { maxCount: 2n })) {
      bounded.push(event.data);
      if (bounded.length === 2) break;
    }
    expect(bounded).toEqual([0, 1]);
    // The connection survived both: a later read still works.
    expect((await collect(store.read(stream, { from: 48n }))).map((e) => e.data)).toEqual([48, 49]);
  });
});

/** A client read stand-in: a real object-mode stream holding `items`, counting cancels. */
function fakeRead(items: readonly number[]): { read: StreamingRead<number>; cancels: () => number } {
  const stream = new PassThrough({ objectMode: true });
  let cancels = 0;
  Object.assign(stream, {
    cancel: async () => {
      cancels++;
      stream.end();
    },
  });
  for (const item of items) stream.write(item);
  // Left open like a call still streaming: only a cancel (or the test) ends it.
  return { read: stream as unknown as StreamingRead<number>, cancels: () => cancels };
}

describe("ClientRead (the iterator over a client read)", () => {
  const context = { operation: "read" as const, stream: "s-1" };

  it("maps items, skips those mapped to undefined, and cancels the call when the caller stops early", async () => {
    const { read, cancels } = fakeRead([1, 2, 3, 4, 5]);
    const seen: number[] = [];
    for await (const n of new ClientRead(() => ({ read }), (n: number) => (n % 2 ? n * 10 : undefined), undefined, context)) {
      seen.push(n);
      if (seen.length === 2) break;
    }
    expect(seen).toEqual([10, 30]);
    expect(cancels()).toBe(1);
  });

  it("a mapping failure rejects next() and cancels the call (for-await does not call return() then)", async () => {
    const { read, cancels } = fakeRead([1, 2, 3]);
    const iterator = new ClientRead(
      () => ({ read }),
      (n: number) => {
        if (n === 2) throw new Error("mapping failed");
        return n;
      },
      undefined,
      context,
    );
    expect(await iterator.next()).toEqual({ done: false, value: 1 });
    await expect(iterator.next()).rejects.toThrow("mapping failed");
    expect(cancels()).toBe(1);
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it("a bounded read that delivered all it asked for is left to end rather than cancelled", async () => {
    const { read, cancels } = fakeRead([1, 2]);
    const iterator = new ClientRead(() => ({ read, expectedMax: 2n }), (n: number) => n, undefined, context);
    expect((await iterator.next()).value).toBe(1);
    expect((await iterator.next()).value).toBe(2);
    const returned = iterator.return();
    (read as unknown as PassThrough).end(); // the call's own end
    await returned;
    expect(cancels()).toBe(0);
  });

  it("an abort cancels the call and rejects with the abort reason; nothing opens when already aborted", async () => {
    const { read, cancels } = fakeRead([1]);
    const controller = new AbortController();
    const iterator = new ClientRead(() => ({ read }), (n: number) => n, controller.signal, context);
    expect((await iterator.next()).value).toBe(1);
    const pending = iterator.next();
    controller.abort(new Error("stop"));
    await expect(pending).rejects.toThrow("stop");
    expect(cancels()).toBe(1);

    let opened = 0;
    const never = new ClientRead(
      () => {
        opened++;
        return { read: fakeRead([]).read };
      },
      (n: number) => n,
      AbortSignal.abort(new Error("already")),
      context,
    );
    await expect(never.next()).rejects.toThrow("already");
    expect(opened).toBe(0);
  });

  it("opens nothing until the first next(), and nothing at all if returned first", async () => {
    let opened = 0;
    const open = () => {
      opened++;
      return { read: fakeRead([7]).read };
    };
    const iterator = new ClientRead(open, (n: number) => n, undefined, context);
    expect(opened).toBe(0);
    await iterator.return();
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    expect(opened).toBe(0);
  });
});
