import {
  EventStoreDBClient,
  jsonEvent,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type AppendExpectedRevision,
} from "@eventstore/db-client";
import type { BenchEvent, CartState, ServerInfo } from "../types.js";
import { evolveCart, INITIAL_CART, type Subject } from "./subject.js";

/** The official client used directly: the network floor our adapter is measured against. */
export async function createEsdbRaw(server: ServerInfo): Promise<Subject> {
  const client = EventStoreDBClient.connectionString(server.url);

  async function append(stream: string, events: readonly BenchEvent[], expected?: bigint): Promise<bigint> {
    const expectedRevision: AppendExpectedRevision = expected === undefined ? "any" : expected < 0n ? "no_stream" : expected;
    const result = await client.appendToStream(
      stream,
      events.map((e) => jsonEvent({ type: e.type, data: e.data })),
      { expectedRevision },
    );
    return result.nextExpectedRevision;
  }

  return {
    name: "esdb-raw",
    family: "esdb",
    expectedRevision: true,
    notes: ["command handler: read + fold + append with expected revision, hand-written over the client"],
    append,
    conflictRevision(error) {
      if (!(error instanceof WrongExpectedVersionError)) return undefined;
      return typeof error.actualVersion === "bigint" ? error.actualVersion : -1n;
    },
    async read(stream) {
      let count = 0;
      for await (const resolved of client.readStream(stream, { fromRevision: START })) {
        if (resolved.event?.data !== undefined) count++;
      }
      return count;
    },
    async handle(stream, command) {
      let state: CartState = INITIAL_CART;
      let revision = -1n;
      try {
        for await (const resolved of client.readStream(stream, { fromRevision: START })) {
          if (!resolved.event) continue;
          state = evolveCart(state, resolved.event);
          revision = resolved.event.revision;
        }
      } catch (error) {
        if (!(error instanceof StreamNotFoundError)) throw error;
      }
      await append(stream, [command], revision);
      return state;
    },
    async catchUp(stream, count) {
      const subscription = client.subscribeToStream(stream, { fromRevision: START });
      let delivered = 0;
      try {
        for await (const resolved of subscription) {
          if (resolved.event?.data !== undefined && ++delivered >= count) return;
        }
      } finally {
        await subscription.unsubscribe();
      }
      throw new Error(`esdb-raw catch-up ended after ${delivered} of ${count} events`);
    },
    async close() {
      await client.dispose();
    },
  };
}
