import { CommandHandler } from "../../src/core/domain/index.js";
import { isWrongExpectedRevisionError } from "../../src/core/errors.js";
import type { EventStream } from "../../src/core/event-stream.js";
import type { BenchEvent, CartState, Family, SubjectName } from "../types.js";
import { evolveCart, INITIAL_CART, type Subject } from "./subject.js";

/** Snapshot interval of the snapshot workload: one snapshot per 100 events, a common choice. */
export const SNAPSHOT_EVERY = 100;

const cartDecider = {
  initialState: INITIAL_CART,
  evolve: evolveCart,
  decide: (command: BenchEvent): readonly BenchEvent[] => [command],
};

/**
 * A subject over any of our adapters: appends, reads and subscriptions go through the
 * `EventStream` port; commands through the core `CommandHandler` (schema-less pass-through
 * codec, as Emmett's handler has none), with and without snapshots.
 */
export function portSubject(name: SubjectName, family: Family, port: EventStream): Subject {
  const handler = new CommandHandler<BenchEvent, BenchEvent, CartState>({ eventStream: port, decider: cartDecider });
  const snapshotting = new CommandHandler<BenchEvent, BenchEvent, CartState>({
    eventStream: port,
    decider: cartDecider,
    snapshots: { every: SNAPSHOT_EVERY, version: 1 },
  });

  return {
    name,
    family,
    expectedRevision: port.capabilities.expectedRevision,
    notes: ["command handler: src/core/domain CommandHandler (pass-through codec)"],
    async append(stream, events, expected) {
      const expectedRevision = expected === undefined ? "any" : expected < 0n ? "no_stream" : expected;
      const result = await port.append(stream, events as BenchEvent[], { expectedRevision });
      return result.nextExpectedRevision;
    },
    conflictRevision(error) {
      if (!isWrongExpectedRevisionError(error)) return undefined;
      return error.actual === "no_stream" ? -1n : error.actual;
    },
    async read(stream) {
      let count = 0;
      for await (const event of port.read(stream)) if (event.data !== undefined) count++;
      return count;
    },
    async handle(stream, command) {
      const { state } = await handler.handle(stream, command);
      // The handler returns the state after the command; the workload checks the folded one.
      return { items: state.items - 1, quantity: state.quantity - command.data.quantity };
    },
    async catchUp(stream, count) {
      const subscription = port.subscribe(stream, { from: "start" });
      let delivered = 0;
      try {
        for await (const event of subscription) {
          if (event.data !== undefined && ++delivered >= count) return;
        }
      } finally {
        await subscription.close();
      }
      throw new Error(`${name} catch-up ended after ${delivered} of ${count} events`);
    },
    async loadState(stream, useSnapshots) {
      return (await (useSnapshots ? snapshotting : handler).load(stream)).state;
    },
    async handleWithSnapshots(stream, command) {
      const result = await snapshotting.handle(stream, command);
      if (result.snapshotError !== undefined) throw result.snapshotError;
      return { snapshotWritten: result.snapshotRevision !== undefined };
    },
    close: () => port.close(),
  };
}
