import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEnsignEventStream, type EnsignEventStream } from "../../src/adapters/ensign/index.js";
import type { EnsignServer } from "../../src/servers/ensign/index.js";
import { emulator } from "./helpers.js";

let server: EnsignServer;
let store: EnsignEventStream;

beforeAll(async () => {
  server = await emulator();
  store = createEnsignEventStream({
    endpoint: server.endpoint,
    insecure: true,
    authUrl: server.authUrl,
    clientId: server.clientId,
    clientSecret: server.clientSecret,
    pollIntervalMs: 60_000,
  });
});
afterAll(async () => {
  await store.close();
  await server.close();
});

/** Settles with the promise's outcome, or with "pending" after `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | "pending"> {
  return Promise.race([promise, new Promise<"pending">((resolve) => setTimeout(() => resolve("pending"), ms))]);
}

describe("Ensign subscription close", () => {
  it("a subscription closed while it holds a live event ends its iterator at once, not after pollIntervalMs", async () => {
    const stream = `close${process.pid}-1`;
    await store.append(stream, [{ type: "n", data: { i: 0 } }]);
    const subscription = store.subscribe(stream);
    const iterator = subscription[Symbol.asyncIterator]();
    expect((await iterator.next()).value?.revision).toBe(0n);
    const live = iterator.next();
    await subscription.caughtUp;
    await store.append(stream, [{ type: "n", data: { i: 1 } }]);
    expect((await live).value?.revision).toBe(1n);
    await subscription.close();
    // The feed resumes after the event it yielded, finds nothing more and must not wait for a wake-up.
    const next = await within(iterator.next(), 2_000);
    expect(next).toEqual({ done: true, value: undefined });
  });
});
