import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventStream } from "../../src/core/event-stream.js";
import type { RecordedEvent } from "../../src/core/event.js";
import {
  createProjection,
  defineProjection,
  EventStreamCheckpointStore,
  MemoryCheckpointStore,
  readDeadLetters,
  type CheckpointStore,
  type ProjectionErrorPolicy,
} from "../../src/core/domain/index.js";
import { availableBackends } from "./backends.js";
import { counterEvents, uniqueCategory, waitFor, type CounterEvent } from "./fixtures.js";

const added = (by: number) => ({ type: "Added", data: { by } });

/** A read model that outlives a "process": the ids it has seen, in order, and a running total. */
function ledgerProjection(name: string, category: string, seen: string[], onError?: ProjectionErrorPolicy, fail?: (event: CounterEvent) => void) {
  return defineProjection({
    name,
    source: { category },
    events: counterEvents,
    reset: () => {
      seen.length = 0;
    },
    onError,
    handlers: {
      Added: (event, recorded: RecordedEvent) => {
        fail?.(event);
        seen.push(`${recorded.streamId}:${event.data.by}`);
      },
    },
  });
}

for (const backend of availableBackends()) {
  describe(`projections on ${backend.name}`, () => {
    let eventStream: EventStream;
    beforeAll(async () => {
      eventStream = await backend.create();
    });
    afterAll(async () => {
      await eventStream.close();
      await backend.stop();
    });

    it("resumes after a restart from a checkpoint stored in the event store", async () => {
      const category = uniqueCategory("led");
      const name = `ledger-${category}`;
      await eventStream.append(`${category}-a`, [added(1), added(2)]);
      await eventStream.append(`${category}-b`, [added(3)]);
      await eventStream.append(`${uniqueCategory("other")}-a`, [added(99)]);
      const seen: string[] = [];
      let handled = 0;
      const count = () => handled++;

      const first = createProjection(ledgerProjection(name, category, seen, undefined, count), {
        eventStream,
        checkpoints: new EventStreamCheckpointStore(eventStream),
      });
      await first.start();
      await first.waitUntilCaughtUp();
      await first.stop();
      expect(seen).toEqual([`${category}-a:1`, `${category}-a:2`, `${category}-b:3`]);

      // "Restart": a new client, a new projection object, the same checkpoint stream.
      await eventStream.append(`${category}-b`, [added(4)]);
      await eventStream.append(`${category}-c`, [added(5)]);
      const client = await backend.create();
      try {
        handled = 0;
        const second = createProjection(ledgerProjection(name, category, seen, undefined, count), {
          eventStream: client,
          checkpoints: new EventStreamCheckpointStore(client),
        });
        await second.start();
        await second.waitUntilCaughtUp();
        expect(handled).toBe(2);
        // Live events keep arriving after the catch-up.
        await client.append(`${category}-a`, [added(6)]);
        await second.waitUntilCaughtUp();
        await second.stop();
        expect(seen).toEqual([`${category}-a:1`, `${category}-a:2`, `${category}-b:3`, `${category}-b:4`, `${category}-c:5`, `${category}-a:6`]);
        expect(await new EventStreamCheckpointStore(client).load(name)).toBe(await lastPosition(client, `${category}-a`));
      } finally {
        await client.close();
      }
    });

    it("follows one stream with revisions as checkpoints, in a user-supplied store", async () => {
      const stream = `${uniqueCategory("led")}-x`;
      await eventStream.append(stream, [added(1), added(2), added(3)]);
      const saved: string[] = [];
      const store: CheckpointStore = {
        load: async () => saved.at(-1),
        save: async (_name, checkpoint) => void saved.push(checkpoint),
        clear: async () => void (saved.length = 0),
      };
      const seen: string[] = [];
      const definition = { ...ledgerProjection("one-stream", "unused", seen), source: stream };
      const projection = createProjection(definition, { eventStream, checkpoints: store, checkpointEvery: 2 });
      await projection.start();
      await projection.waitUntilCaughtUp();
      await projection.stop();
      expect(seen).toHaveLength(3);
      expect(saved).toEqual(["1", "2"]);
      await eventStream.append(stream, [added(4)]);
      await projection.start();
      await projection.waitUntilCaughtUp();
      await projection.stop();
      expect(seen.map((s) => s.split(":")[1])).toEqual(["1", "2", "3", "4"]);
    });

    it("rebuilds the read model from the start", async () => {
      const category = uniqueCategory("led");
      await eventStream.append(`${category}-a`, [added(1), added(2)]);
      const seen: string[] = [];
      const projection = createProjection(ledgerProjection(`rebuild-${category}`, category, seen), { eventStream });
      await projection.start();
      await projection.waitUntilCaughtUp();
      seen.push("corrupted");
      await projection.rebuild();
      await projection.waitUntilCaughtUp();
      await projection.stop();
      expect(seen).toEqual([`${category}-a:1`, `${category}-a:2`]);
    });

    it("dead-letters an event whose handler keeps failing, and goes on with the rest", async () => {
      const category = uniqueCategory("led");
      const deadLetterStream = `${uniqueCategory("dead")}-ledger`;
      await eventStream.append(`${category}-a`, [added(1), added(13), added(2)]);
      const seen: string[] = [];
      const givenUp: number[] = [];
      const projection = createProjection(
        ledgerProjection(
          `dl-${category}`,
          category,
          seen,
          { retries: 2, initialDelayMs: 1, then: "dead-letter", deadLetterStream, onGiveUp: (_e, r) => givenUp.push(Number(r.revision)) },
          (event) => {
            if (event.data.by === 13) throw new Error("unlucky number");
          },
        ),
        { eventStream },
      );
      await projection.start();
      await eventStream.append(`${category}-b`, [added(3)]);
      await projection.waitUntilCaughtUp();
      await projection.stop();
      expect(seen).toEqual([`${category}-a:1`, `${category}-a:2`, `${category}-b:3`]);
      expect(projection.stats).toMatchObject({ retried: 2, deadLettered: 1, skipped: 0 });
      expect(givenUp).toEqual([1]);
      const letters = await readDeadLetters(eventStream, deadLetterStream);
      expect(letters).toHaveLength(1);
      expect(letters[0]).toMatchObject({
        source: `projection:dl-${category}`,
        streamId: `${category}-a`,
        revision: "1",
        type: "Added",
        attempts: 3,
        error: { message: "unlucky number" },
        data: { by: 13 },
      });
    });

    it("retries a transient failure with backoff, then handles the event", async () => {
      const category = uniqueCategory("led");
      await eventStream.append(`${category}-a`, [added(1), added(2)]);
      const seen: string[] = [];
      let failures = 0;
      const projection = createProjection(
        ledgerProjection(`retry-${category}`, category, seen, { retries: 3, initialDelayMs: 1, then: "stop" }, (event) => {
          if (event.data.by === 2 && failures < 2) {
            failures++;
            throw new Error("database busy");
          }
        }),
        { eventStream },
      );
      await projection.start();
      await projection.waitUntilCaughtUp();
      await projection.stop();
      expect(seen).toEqual([`${category}-a:1`, `${category}-a:2`]);
      expect(projection.stats.retried).toBe(2);
    });

    it("stop() cuts a retry backoff short and leaves the event for the next start", async () => {
      const category = uniqueCategory("led");
      await eventStream.append(`${category}-a`, [added(1), added(2)]);
      const seen: string[] = [];
      const checkpoints = new MemoryCheckpointStore();
      const slow = { retries: 5, initialDelayMs: 1e9, maxDelayMs: 1e9 };
      const flaky = createProjection(
        ledgerProjection(`stop-retry-${category}`, category, seen, slow, (event) => {
          if (event.data.by === 2) throw new Error("down");
        }),
        { eventStream, checkpoints },
      );
      await flaky.start();
      await waitFor(() => flaky.stats.retried === 1);
      await flaky.stop();
      expect(flaky.status).toBe("stopped");
      expect(seen).toEqual([`${category}-a:1`]);
      const fixed = createProjection(ledgerProjection(`stop-retry-${category}`, category, seen), { eventStream, checkpoints });
      await fixed.start();
      await fixed.waitUntilCaughtUp();
      await fixed.stop();
      expect(seen).toEqual([`${category}-a:1`, `${category}-a:2`]);
      expect(fixed.stats.processed).toBe(1);
    });

    it("skips by policy, and stops by policy, resuming from the failed event after a fix", async () => {
      const category = uniqueCategory("led");
      await eventStream.append(`${category}-a`, [added(1), added(-1), added(2)]);
      const seen: string[] = [];
      const refuseNegative = (event: CounterEvent) => {
        if (event.data.by < 0) throw new RangeError("negative");
      };
      const skipping = createProjection(ledgerProjection(`skip-${category}`, category, seen, { then: "skip" }, refuseNegative), {
        eventStream,
      });
      await skipping.start();
      await skipping.waitUntilCaughtUp();
      await skipping.stop();
      expect(seen).toEqual([`${category}-a:1`, `${category}-a:2`]);
      expect(skipping.stats.skipped).toBe(1);

      seen.length = 0;
      const checkpoints = new MemoryCheckpointStore();
      const stopping = createProjection(ledgerProjection(`stop-${category}`, category, seen, undefined, refuseNegative), {
        eventStream,
        checkpoints,
      });
      await stopping.start();
      await expect(stopping.waitUntilCaughtUp()).rejects.toThrow("negative");
      await waitFor(() => stopping.status === "failed");
      expect(stopping.error).toBeInstanceOf(RangeError);
      expect(seen).toEqual([`${category}-a:1`]);

      const fixed = createProjection(ledgerProjection(`stop-${category}`, category, seen), { eventStream, checkpoints });
      await fixed.start();
      await fixed.waitUntilCaughtUp();
      await fixed.stop();
      expect(seen).toEqual([`${category}-a:1`, `${category}-a:-1`, `${category}-a:2`]);
    });

    const needsGlobalOrder = backend.capabilities.globalOrder ? it : it.skip;
    const skipReason = backend.capabilities.globalOrder ? "" : ` [skipped: ${backend.name} lacks globalOrder]`;
    needsGlobalOrder(`follows $all, passing over event types it does not know${skipReason}`, async () => {
      const category = uniqueCategory("led");
      await eventStream.append(`${category}-a`, [added(7), { type: "SomethingElse", data: {} }]);
      let total = 0;
      const projection = createProjection(
        defineProjection({
          name: `all-${category}`,
          source: { all: true, filter: { streamPrefixes: [`${category}-`] } },
          events: counterEvents,
          handlers: { Added: (event) => void (total += event.data.by) },
        }),
        { eventStream },
      );
      await projection.start();
      await projection.waitUntilCaughtUp();
      await projection.stop();
      expect(total).toBe(7);
      expect(projection.stats.processed).toBe(2);
    });
  });
}

async function lastPosition(eventStream: EventStream, stream: string): Promise<string> {
  let last: RecordedEvent | undefined;
  for await (const event of eventStream.read(stream)) last = event;
  return last!.position.toString();
}

describe("projection lifecycle", () => {
  it("fails, rather than hanging as running, when its EventStream is closed underneath it", async () => {
    const { createMemoryEventStream } = await import("../../src/adapters/memory/index.js");
    const eventStream = createMemoryEventStream();
    const category = uniqueCategory("led");
    await eventStream.append(`${category}-a`, [added(1)]);
    const projection = createProjection(ledgerProjection(`closed-${category}`, category, []), { eventStream });
    await projection.start();
    await projection.waitUntilCaughtUp();
    await eventStream.close();
    await waitFor(() => projection.status === "failed");
    expect(projection.error).toMatchObject({ code: "CLOSED" });
    await expect(projection.waitUntilCaughtUp()).rejects.toMatchObject({ code: "CLOSED" });
  });
});
