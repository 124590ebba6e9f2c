import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../src/connect.js";
import { isAuthenticationError, isConnectionError } from "../../src/core/errors.js";
import { createEventStoreDBEventStream, type EventStoreDBEventStream } from "../../src/adapters/eventstoredb/index.js";
import { startEventStoreEmulator, type EventStoreEmulator } from "../../src/servers/eventstoredb/index.js";
import { silentServer, unusedPort } from "../network.js";
import { rejection } from "./support.js";

let emulator: EventStoreEmulator;
let store: EventStoreDBEventStream;

beforeAll(async () => {
  emulator = await startEventStoreEmulator();
  store = createEventStoreDBEventStream({ config: { hosts: [{ host: "127.0.0.1", port: emulator.port }], tls: false } });
});
afterAll(async () => {
  await store.close();
  await emulator.close();
});

/** Rejects, and did so on its own rather than by the ping's timeout. */
async function pingFailure(ping: () => Promise<void>, timeoutMs: number): Promise<Error> {
  const started = Date.now();
  const error = await rejection(ping);
  expect(Date.now() - started).toBeLessThan(timeoutMs);
  expect(error.message).not.toMatch(/within \d+ ms/);
  return error;
}

describe("EventStoreDB ping()", () => {
  it("ping() resolves while the server runs, rejects at once with a ConnectionError while it is stopped, resolves after a restart", async () => {
    await store.ping();
    await emulator.stop();
    try {
      const error = await pingFailure(() => store.ping({ timeoutMs: 5_000 }), 5_000);
      expect(isConnectionError(error)).toBe(true);
      expect(error.message).toMatch(/EventStoreDB did not answer a ping/);
    } finally {
      await emulator.restart();
    }
    await store.ping();
  });

  it("connect() to a port nobody listens on succeeds, and ping() then fails with a ConnectionError", async () => {
    const dead = await connect(`esdb://127.0.0.1:${await unusedPort()}?tls=false`);
    try {
      const error = await pingFailure(() => dead.ping({ timeoutMs: 5_000 }), 5_000);
      expect(isConnectionError(error)).toBe(true);
    } finally {
      await dead.close();
    }
  });

  it("ping() gives up on a server that never answers after timeoutMs, with a ConnectionError", async () => {
    const silent = await silentServer();
    const hung = await connect(`esdb://127.0.0.1:${silent.port}?tls=false`);
    try {
      const started = Date.now();
      const error = await rejection(() => hung.ping({ timeoutMs: 300 }));
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(isConnectionError(error)).toBe(true);
      expect(error.message).toBe("EventStoreDB did not answer a ping within 300 ms");
    } finally {
      await hung.close();
      await silent.close();
    }
  });

  it("ping() rejects refused credentials with an AuthenticationError that does not show them", async () => {
    const secure = await startEventStoreEmulator({ tls: true, users: { admin: "changeit-Rk2" } });
    const url = (password: string) =>
      `esdb://admin:${password}@127.0.0.1:${secure.port}?tls=true&tlsCAFile=${encodeURIComponent(secure.caFile!)}`;
    const good = await connect(url("changeit-Rk2"));
    const wrong = await connect(url("not-it-Tq7"));
    try {
      await good.ping();
      const error = await rejection(() => wrong.ping());
      expect(isAuthenticationError(error)).toBe(true);
      expect(error.message).not.toContain("not-it-Tq7");
    } finally {
      await good.close();
      await wrong.close();
      await secure.close();
    }
  });
});
