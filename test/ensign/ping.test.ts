import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEnsignEventStream, type EnsignEventStream } from "../../src/adapters/ensign/index.js";
import { connect } from "../../src/connect.js";
import { isAuthenticationError, isConnectionError } from "../../src/core/errors.js";
import type { EnsignServer } from "../../src/servers/ensign/index.js";
import { silentServer, unusedPort } from "../network.js";
import { emulator, errorOf, eventually } from "./helpers.js";

let server: EnsignServer;
let store: EnsignEventStream;

function storeFor(target: EnsignServer, overrides: { endpoint?: string; clientSecret?: string } = {}): EnsignEventStream {
  return createEnsignEventStream({
    endpoint: target.endpoint,
    insecure: true,
    authUrl: target.authUrl,
    clientId: target.clientId,
    clientSecret: target.clientSecret,
    reconnect: { initialDelayMs: 20, maxDelayMs: 100, maxAttempts: 100 },
    ...overrides,
  });
}

beforeAll(async () => {
  server = await emulator();
  store = storeFor(server);
});
afterAll(async () => {
  await store.close();
  await server.close();
});

/** Starts the stopped server and waits until the client's channel has reconnected (grpc-js backs off). */
async function restart(): Promise<void> {
  await server.start();
  await eventually(() => store.ping().then(() => true, () => false), "ping() to succeed after the restart");
}

/** Rejects, and did so on its own rather than by the ping's timeout. */
async function pingFailure(ping: () => Promise<void>, timeoutMs: number): Promise<Error & Record<string, unknown>> {
  const started = Date.now();
  const error = await errorOf(ping);
  expect(Date.now() - started).toBeLessThan(timeoutMs);
  expect(error.message).not.toMatch(/within \d+ ms/);
  return error;
}

describe("Ensign ping()", () => {
  it("ping() resolves while the server runs, rejects at once with a ConnectionError while it is stopped, resolves after a restart", async () => {
    await store.ping();
    await server.stop();
    try {
      expect(isConnectionError(await pingFailure(() => store.ping({ timeoutMs: 5_000 }), 5_000))).toBe(true);
    } finally {
      await restart();
    }
    await store.ping();
  });

  it("ping() rejects with a ConnectionError while the node is in maintenance", async () => {
    server.setMaintenance(true);
    try {
      const error = await pingFailure(() => store.ping(), 5_000);
      expect(isConnectionError(error)).toBe(true);
      expect(error.message).toMatch(/not serving: its status is MAINTENANCE/);
    } finally {
      server.setMaintenance(false);
    }
    await store.ping();
  });

  it("ping() rejects refused credentials with an AuthenticationError that does not show them", async () => {
    const secret = "wrong-secret-Vb3xQ9wrong-secret-Vb3xQ9";
    const wrong = storeFor(server, { clientSecret: secret });
    try {
      const error = await pingFailure(() => wrong.ping(), 5_000);
      expect(isAuthenticationError(error)).toBe(true);
      expect(error.message).not.toContain(secret);
    } finally {
      await wrong.close();
    }
  });

  it("connect() to a port nobody listens on succeeds, and ping() then fails with a ConnectionError", async () => {
    const dead = await connect({
      backend: "ensign",
      endpoint: `127.0.0.1:${await unusedPort()}`,
      insecure: true,
      authUrl: server.authUrl,
      clientId: server.clientId,
      clientSecret: server.clientSecret,
    });
    try {
      expect(isConnectionError(await pingFailure(() => dead.ping({ timeoutMs: 5_000 }), 5_000))).toBe(true);
    } finally {
      await dead.close();
    }
  });

  it("ping() gives up on a server that never answers after timeoutMs, with a ConnectionError", async () => {
    const silent = await silentServer();
    const hung = storeFor(server, { endpoint: `127.0.0.1:${silent.port}` });
    try {
      const started = Date.now();
      const error = await errorOf(() => hung.ping({ timeoutMs: 300 }));
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(isConnectionError(error)).toBe(true);
      expect(error.message).toBe("Ensign did not answer a ping within 300 ms");
    } finally {
      await hung.close();
      await silent.close();
    }
  });
});
