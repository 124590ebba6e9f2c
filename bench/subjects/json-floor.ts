import { randomUUID } from "node:crypto";
import type { BenchEvent, CartState } from "../types.js";
import { evolveCart, INITIAL_CART, type Subject } from "./subject.js";

interface JsonRecord {
  readonly id: string;
  readonly type: string;
  /** The data as JSON text: what comes out is a copy, as from any real store. */
  readonly json: string;
  readonly revision: number;
  readonly position: number;
  readonly createdAt: number;
}

class JsonFloorConflict extends Error {
  constructor(readonly actual: bigint) {
    super("wrong expected revision");
  }
}

/**
 * The least a store that keeps its contract does: a Map of arrays of records holding the data as
 * JSON text, one UUID per event (flattened, as a store that keeps ids would), an expected-revision
 * check, and reads that hand out fresh envelopes parsed from the JSON through an async iterator,
 * the shape of our port. No validation, metadata, positions or limits. Ours keeps the same
 * contract (data out is a copy as stored), so this is the floor our memory adapter is held to.
 */
export async function createJsonFloor(): Promise<Subject> {
  const streams = new Map<string, JsonRecord[]>();
  let global = 0;

  async function append(stream: string, events: readonly BenchEvent[], expected?: bigint): Promise<bigint> {
    let list = streams.get(stream);
    if (expected !== undefined) {
      const actual = BigInt(list ? list.length : 0) - 1n;
      if (actual !== expected) throw new JsonFloorConflict(actual);
    }
    if (!list) {
      list = [];
      streams.set(stream, list);
    }
    const createdAt = Date.now();
    for (const event of events) {
      const id = randomUUID();
      id.charCodeAt(0); // flattens the concatenated string (~480 → ~58 heap bytes)
      list.push({ id, type: event.type, json: JSON.stringify(event.data), revision: list.length, position: global++, createdAt });
    }
    return BigInt(list.length - 1);
  }

  async function* read(stream: string) {
    for (const record of streams.get(stream) ?? []) {
      yield {
        streamId: stream,
        id: record.id,
        type: record.type,
        data: JSON.parse(record.json) as unknown,
        revision: record.revision,
        position: record.position,
        createdAt: record.createdAt,
      };
    }
  }

  return {
    name: "json-floor",
    family: "memory",
    expectedRevision: true,
    notes: ["Map of arrays keeping JSON text; reads parse a fresh copy per event through an async generator"],
    append,
    conflictRevision: (error) => (error instanceof JsonFloorConflict ? error.actual : undefined),
    async read(stream) {
      let count = 0;
      for await (const event of read(stream)) if (event.data !== undefined) count++;
      return count;
    },
    async handle(stream, command) {
      let state: CartState = INITIAL_CART;
      let revision = -1n;
      for await (const event of read(stream)) {
        state = evolveCart(state, event);
        revision = BigInt(event.revision);
      }
      await append(stream, [command], revision);
      return state;
    },
    async catchUp(stream, count) {
      let delivered = 0;
      for await (const event of read(stream)) {
        if (event.data !== undefined && ++delivered >= count) return;
      }
      throw new Error(`json-floor catch-up saw ${delivered} of ${count} events`);
    },
    async close() {
      streams.clear();
    },
  };
}
