import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventStream } from "../../src/core/event-stream.js";
import { createCommandHandler, SnapshotStore } from "../../src/core/domain/index.js";
import { availableBackends } from "./backends.js";
import { countReads } from "./counting-event-stream.js";
import { counter, counterEvents, readAllOf, uniqueCategory } from "./fixtures.js";

const EVENTS = 10_000;
const EVERY = 100;

for (const backend of availableBackends()) {
  describe(`snapshots on ${backend.name}`, () => {
    let eventStream: EventStream;
    beforeAll(async () => {
      eventStream = await backend.create();
    });
    afterAll(async () => {
      await eventStream.close();
      await backend.stop();
    });

    const needs = backend.capabilities.readBackward ? it : it.skip;
    needs(
      `loads a ${EVENTS}-event stream reading at most ~${EVERY} events with snapshots every ${EVERY}` +
        (backend.capabilities.readBackward ? "" : ` [skipped: ${backend.name} lacks readBackward]`),
      async () => {
        const stream = `${uniqueCategory("ctr")}-1`;
        const snapshots = { every: EVERY, version: 1 };
        const writer = createCommandHandler({ eventStream, decider: counter, events: counterEvents, snapshots });
        for (let i = 0; i < EVENTS / EVERY; i++) {
          const result = await writer.handle(stream, { type: "Add", by: 1, times: EVERY });
          expect(result.snapshotRevision).toBe(BigInt((i + 1) * EVERY - 1));
        }
        await writer.handle(stream, { type: "Add", by: 2, times: 37 });

        const counted = countReads(eventStream);
        const withSnapshots = createCommandHandler({ eventStream: counted.eventStream, decider: counter, events: counterEvents, snapshots });
        const fast = await withSnapshots.load(stream);
        const readWith = counted.total();

        counted.reset();
        const withoutSnapshots = createCommandHandler({ eventStream: counted.eventStream, decider: counter, events: counterEvents });
        const slow = await withoutSnapshots.load(stream);
        const readWithout = counted.total();

        counted.reset();
        const { eventStream: forwardOnly } = countReads(counted.eventStream, { readBackward: false });
        const noBackward = createCommandHandler({ eventStream: forwardOnly, decider: counter, events: counterEvents, snapshots });
        const forward = await noBackward.load(stream);
        const readForwardOnly = counted.total();

        console.log(
          `[figures] ${backend.name}: loading ${EVENTS + 37} events read ${readWith} with snapshots every ${EVERY} ` +
            `(1 snapshot + ${fast.eventsRead} events), ${readWithout} without, ` +
            `${readForwardOnly} with snapshots but no backward read (${counted.perStream.get(`snapshot.${stream}`)} snapshots scanned)`,
        );
        expect(fast.state).toEqual({ total: EVENTS + 74, events: EVENTS + 37 });
        expect(slow.state).toEqual(fast.state);
        expect(forward.state).toEqual(fast.state);
        expect(fast.revision).toBe(BigInt(EVENTS + 36));
        expect(readWith).toBeLessThanOrEqual(EVERY);
        expect(readWith).toBe(1 + 37);
        expect(readWithout).toBe(EVENTS + 37);
        expect(readForwardOnly).toBe(EVENTS / EVERY + 37);
      },
      120_000,
    );

    it("ignores a snapshot of another state version and rebuilds from the events", async () => {
      const stream = `${uniqueCategory("ctr")}-1`;
      const v1 = createCommandHandler({ eventStream, decider: counter, events: counterEvents, snapshots: { every: 3, version: 1 } });
      for (let i = 0; i < 4; i++) await v1.handle(stream, { type: "Add", by: 5 });
      const snapshotStream = `snapshot.${stream}`;
      expect((await readAllOf(eventStream, snapshotStream)).map((e) => e.data)).toEqual([
        { stateVersion: 1, revision: "2", state: { total: 15, events: 3 }, commandIds: expect.any(Array) },
      ]);

      // Version 2 stores the state as a plain number: reading a v1 object as one would be wrong.
      const counted = countReads(eventStream);
      const v2 = createCommandHandler({
        eventStream: counted.eventStream,
        decider: counter,
        events: counterEvents,
        snapshots: {
          every: 3,
          version: 2,
          toSnapshot: (state) => state.total * 1000 + state.events,
          fromSnapshot: (data) => ({ total: Math.floor((data as number) / 1000), events: (data as number) % 1000 }),
        },
      });
      const loaded = await v2.load(stream);
      expect(loaded.state).toEqual({ total: 20, events: 4 });
      expect(loaded.snapshotRevision).toBe(-1n);
      expect(loaded.eventsRead).toBe(4);
      // The next command writes a v2 snapshot, which v2 then uses.
      const result = await v2.handle(stream, { type: "Add", by: 1 });
      expect(result.snapshotRevision).toBe(4n);
      const again = await v2.load(stream);
      expect(again).toMatchObject({ state: { total: 21, events: 5 }, snapshotRevision: 4n, eventsRead: 0 });
      expect(await new SnapshotStore(eventStream, { every: 3, version: 1 }).load(stream)).toBeUndefined();
    });

    it("remembers recent command ids in the snapshot, so a retried command stays idempotent", async () => {
      const stream = `${uniqueCategory("ctr")}-1`;
      const handler = createCommandHandler({ eventStream, decider: counter, events: counterEvents, snapshots: { every: 2, version: 1 } });
      const first = await handler.handle(stream, { type: "Add", by: 1, times: 2 }, { commandId: "pay-1" });
      expect(first.snapshotRevision).toBe(1n);
      const retried = await handler.handle(stream, { type: "Add", by: 1, times: 2 }, { commandId: "pay-1" });
      expect(retried.duplicate).toBe(true);
      expect((await handler.load(stream)).state.total).toBe(2);
    });
  });
}
