import { randomUUID } from "node:crypto";
import type { BenchEvent, CartState } from "../types.js";
import { evolveCart, INITIAL_CART, type Subject } from "./subject.js";

interface FloorEnvelope {
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
  readonly streamPosition: number;
  readonly globalPosition: number;
}

class FloorConflict extends Error {
  constructor(readonly actual: bigint) {
    super("wrong expected revision");
  }
}

/**
 * The least any store does: a Map of arrays, an envelope built as an object literal, one awaited
 * async call per append and one crypto.randomUUID per event. The ceiling of the process.
 */
export async function createFloor(): Promise<Subject> {
  const streams = new Map<string, FloorEnvelope[]>();
  let global = 0;

  async function append(stream: string, events: readonly BenchEvent[], expected?: bigint): Promise<bigint> {
    let list = streams.get(stream);
    if (expected !== undefined) {
      const actual = BigInt(list ? list.length : 0) - 1n;
      if (actual !== expected) throw new FloorConflict(actual);
    }
    if (!list) {
      list = [];
      streams.set(stream, list);
    }
    for (const event of events) {
      list.push({
        id: randomUUID(),
        type: event.type,
        data: event.data,
        streamPosition: list.length,
        globalPosition: global++,
      });
    }
    return BigInt(list.length - 1);
  }

  async function readAll(stream: string): Promise<FloorEnvelope[]> {
    return streams.get(stream) ?? [];
  }

  return {
    name: "floor",
    family: "memory",
    expectedRevision: true,
    append,
    conflictRevision: (error) => (error instanceof FloorConflict ? error.actual : undefined),
    async read(stream) {
      let count = 0;
      for (const event of await readAll(stream)) if (event.data !== undefined) count++;
      return count;
    },
    async handle(stream, command) {
      const events = await readAll(stream);
      let state: CartState = INITIAL_CART;
      for (const event of events) state = evolveCart(state, event);
      await append(stream, [command], BigInt(events.length) - 1n);
      return state;
    },
    async catchUp(stream, count) {
      let delivered = 0;
      for (const event of await readAll(stream)) {
        await Promise.resolve(event);
        if (++delivered >= count) return;
      }
      throw new Error(`floor catch-up saw ${delivered} of ${count} events`);
    },
    async close() {
      streams.clear();
    },
  };
}
