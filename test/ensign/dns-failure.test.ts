/**
 * Ensign answers the same question as EventStoreDB: a host that does not resolve means nothing
 * was sent, so a failed append is not "outcome unknown" (the publisher marks an event unknown
 * only once it was written to an established stream).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../src/connect.js";
import { isConnectionError, type ConnectionError } from "../../src/core/errors.js";
import type { EnsignServer } from "../../src/servers/ensign/index.js";
import { emulator, errorOf } from "./helpers.js";

describe("Ensign: a DNS failure on append", () => {
  let server: EnsignServer;
  beforeAll(async () => {
    server = await emulator();
  });
  afterAll(async () => {
    await server.close();
  });

  it.each([
    ["the gRPC endpoint", () => ({ endpoint: "nonexistent.invalid:5356", authUrl: server.authUrl })],
    ["the auth service", () => ({ endpoint: server.endpoint, authUrl: "http://nonexistent.invalid:8088" })],
  ])("%s does not resolve: ConnectionError, outcome known", async (_name, where) => {
    const store = await connect({
      backend: "ensign",
      insecure: true,
      clientId: server.clientId,
      clientSecret: server.clientSecret,
      reconnect: { maxAttempts: 2, initialDelayMs: 10, maxDelayMs: 20 },
      ...where(),
    });
    const error = (await errorOf(() => store.append("dns-1", [{ type: "a", data: 1 }]))) as unknown as ConnectionError;
    await store.close();
    expect(isConnectionError(error), String(error)).toBe(true);
    expect(error.outcomeUnknown).toBe(false);
  });
});
