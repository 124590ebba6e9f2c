import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  isConnectionError,
  isSerializationError,
  isStreamNotFoundError,
  isWrongExpectedRevisionError,
  type ConnectionError,
} from "../../src/core/errors.js";
import type { EventData, RecordedEvent } from "../../src/core/event.js";
import type { PersistentDelivery } from "../../src/core/event-stream.js";
import { createEventStoreDBEventStream, type EventStoreDBEventStream } from "../../src/adapters/eventstoredb/index.js";
import { startEventStoreEmulator, type EventStoreEmulator } from "../../src/servers/eventstoredb/index.js";
import { collect, drainInto, rejection, uniqueCategory, uniqueStream, waitFor } from "./support.js";

let emulator: EventStoreEmulator;
let store: EventStoreDBEventStream;
const retry = { initialDelayMs: 20, maxDelayMs: 200 };

beforeAll(async () => {
  emulator = await startEventStoreEmulator();
  store = createEventStoreDBEventStream({ config: { hosts: [{ host: "127.0.0.1", port: emulator.port }], tls: false } });
});
afterAll(async () => {
  await store.close();
  await emulator.close();
});

const jobs = (from: number, count: number): EventData[] =>
  Array.from({ length: count }, (_, i) => ({ type: "job", data: { n: from + i }, id: crypto.randomUUID() }));

/**
 * Appends, retrying with the same event ids while the connection is being re-established: the
 * documented way to use an append whose outcome is unknown (ids make the retry idempotent).
 */
async function appendSurely(stream: string, events: EventData[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await store.append(stream, events);
      return;
    } catch (error) {
      if (!isConnectionError(error) || attempt >= 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/** Stops the emulator, checks that appends fail with a ConnectionError while it is down, restarts it. */
async function outage(stream: string): Promise<ConnectionError> {
  await emulator.stop();
  const error = await rejection(() => store.append(stream, jobs(-1, 1)));
  expect(isConnectionError(error)).toBe(true);
  await emulator.restart();
  return error as ConnectionError;
}

describe("EventStoreDB adapter when the server goes away and comes back", () => {
  it("a stream subscription resumes after a restart with no gap and no duplicate", async () => {
    const stream = uniqueStream("fault");
    await store.append(stream, jobs(0, 5));
    const subscription = store.subscribe(stream, { retry });
    const seen: RecordedEvent[] = [];
    const done = drainInto(subscription, seen);
    await subscription.caughtUp;
    await waitFor(() => seen.length === 5, "the history");

    const refused = await outage(stream);
    expect(refused.outcomeUnknown).toBe(false); // the connection was refused: nothing was sent

    await appendSurely(stream, jobs(5, 3));
    await appendSurely(stream, jobs(8, 2));
    await waitFor(() => seen.length >= 10, "the events written after the restart");
    expect(seen.map((e) => e.revision)).toEqual(Array.from({ length: 10 }, (_, i) => BigInt(i)));
    expect(seen.map((e) => (e.data as { n: number }).n)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    await subscription.close();
    await done;
  });

  it("a category subscription resumes after the last delivered position, across two outages", async () => {
    const category = uniqueCategory("faultcat");
    await store.append(`${category}-1`, jobs(0, 2));
    const subscription = store.subscribe({ category }, { retry });
    const seen: RecordedEvent[] = [];
    const done = drainInto(subscription, seen);
    await subscription.caughtUp;
    await waitFor(() => seen.length === 2, "the history");
    await outage(`${category}-1`);
    await appendSurely(`${category}-2`, jobs(2, 2));
    await waitFor(() => seen.length >= 4, "events after the first restart");
    await outage(`${category}-1`);
    await appendSurely(`${category}-1`, jobs(4, 1));
    await appendSurely(`other${category}-1`, jobs(99, 1));
    await appendSurely(`${category}-3`, jobs(5, 1));
    await waitFor(() => seen.length >= 6, "events after the second restart");
    expect(seen.map((e) => (e.data as { n: number }).n)).toEqual([0, 1, 2, 3, 4, 5]);
    const positions = seen.map((e) => e.position);
    expect(positions.every((p, i) => i === 0 || p.compareTo(positions[i - 1]!) > 0)).toBe(true);
    await subscription.close();
    await done;
  });

  it("a persistent subscription fails with a ConnectionError on an outage; reconnecting redelivers what was not acknowledged", async () => {
    const stream = uniqueStream("faultps");
    await store.append(stream, jobs(0, 3));
    const target = { stream };
    await store.persistentSubscriptions.create(target, "survivors", { startFrom: "start" });
    const first = store.persistentSubscriptions.connect(target, "survivors");
    const iterator = first[Symbol.asyncIterator]();
    const got: PersistentDelivery[] = [];
    while (got.length < 3) got.push((await iterator.next()).value as PersistentDelivery);
    await got[0]!.ack(); // sent, but perhaps not yet processed when the server stops
    await emulator.stop();
    const failure = await rejection(() => iterator.next());
    expect(isConnectionError(failure)).toBe(true);
    await emulator.restart();

    let redelivered: number[] = [];
    const complete = () => redelivered.includes(1) && redelivered.includes(2);
    for (let attempt = 0; attempt < 50 && !complete(); attempt++) {
      const second = store.persistentSubscriptions.connect(target, "survivors");
      try {
        const again = second[Symbol.asyncIterator]();
        while (!complete()) {
          const next = await again.next();
          if (next.done) break;
          redelivered.push((next.value.event.data as { n: number }).n);
          await next.value.ack();
        }
      } catch (error) {
        if (!isConnectionError(error)) throw error;
        redelivered = [];
        await new Promise((resolve) => setTimeout(resolve, 20));
      } finally {
        await second.close();
      }
    }
    // At-least-once: the two unacknowledged events come again; the acknowledged one may too.
    expect(redelivered.filter((n) => n !== 0)).toEqual([1, 2]);
    expect(got.map((d) => d.retryCount)).toEqual([0, 0, 0]);
    await store.persistentSubscriptions.delete(target, "survivors");
  });
});

describe("EventStoreDB adapter: an append cut off by the server going away", () => {
  /** Makes the server die while it handles the next append to `stream`: after storing it, or before. */
  function dieDuringAppend(stream: string, when: "after storing" | "before storing"): void {
    const target = emulator.store;
    const append = target.append.bind(target);
    target.append = ((name: string, ...rest: unknown[]) => {
      if (name !== stream) return (append as (...args: unknown[]) => unknown)(name, ...rest);
      target.append = append; // once
      void emulator.stop();
      // Killed before the write: nothing stored; whatever the dead server answers never arrives.
      if (when === "before storing") return { kind: "streamDeleted" };
      return (append as (...args: unknown[]) => unknown)(name, ...rest);
    }) as typeof target.append;
  }

  for (const when of ["after storing", "before storing"] as const) {
    it(`a server dying ${when} gives an outcome-unknown ConnectionError; a retry with the same ids stores the batch exactly once`, async () => {
      const stream = uniqueStream("inflight");
      const batch = jobs(0, 20);
      await appendSurely(uniqueStream("warm"), jobs(0, 1)); // a live connection, so the append is really sent
      dieDuringAppend(stream, when);
      const error = (await rejection(() => store.append(stream, batch))) as ConnectionError;
      expect(isConnectionError(error)).toBe(true);
      expect(error.outcomeUnknown).toBe(true);
      expect(error.message).toMatch(/may or may not have been stored/);
      await emulator.restart();
      await appendSurely(stream, batch);
      expect((await collect(store.read(stream))).map((e) => e.id)).toEqual(batch.map((e) => e.id));
    });
  }
});

describe("EventStoreDB adapter: a failing batch writes nothing", () => {
  it("one event that cannot be encoded refuses the whole batch before anything is sent", async () => {
    const stream = uniqueStream("atomic");
    const error = await rejection(() =>
      store.append(stream, [...jobs(0, 2), { type: "bad", data: { amount: 10n } }, ...jobs(3, 1)]),
    );
    expect(isSerializationError(error)).toBe(true);
    await expect(collect(store.read(stream))).rejects.toSatisfy(isStreamNotFoundError);
  });

  it("a batch with a wrong expected revision is refused whole by the server", async () => {
    const stream = uniqueStream("atomic");
    await store.append(stream, jobs(0, 2));
    const error = await rejection(() => store.append(stream, jobs(2, 5), { expectedRevision: 0n }));
    expect(isWrongExpectedRevisionError(error)).toBe(true);
    expect((await collect(store.read(stream))).map((e) => e.revision)).toEqual([0n, 1n]);
  });
});
