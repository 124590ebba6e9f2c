import { isStreamNotFoundError, isWrongExpectedRevisionError } from "../../src/core/errors.js";
import type { EventStream } from "../../src/core/event-stream.js";
import type { BenchEvent, CartState, Family, SubjectName } from "../types.js";
import { evolveCart, INITIAL_CART, type Subject } from "./subject.js";

/** A subject over any of our adapters: everything goes through the `EventStream` port. */
export function portSubject(name: SubjectName, family: Family, port: EventStream): Subject {
  async function load(stream: string): Promise<{ state: CartState; revision: bigint }> {
    let state = INITIAL_CART;
    let revision = -1n;
    try {
      for await (const event of port.read(stream)) {
        state = evolveCart(state, event);
        revision = event.revision;
      }
    } catch (error) {
      if (!isStreamNotFoundError(error)) throw error;
    }
    return { state, revision };
  }

  return {
    name,
    family,
    expectedRevision: port.capabilities.expectedRevision,
    notes: ["command handler: read + fold + append with expected revision (core command handler not landed)"],
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
      const { state, revision } = await load(stream);
      await port.append(stream, [command], { expectedRevision: revision < 0n ? "no_stream" : revision });
      return state;
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
    close: () => port.close(),
  };
}
