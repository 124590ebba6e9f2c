import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../src/connect.js";
import { UnsupportedOperationError } from "../../src/core/errors.js";
import { createCommandHandler } from "../../src/core/domain/index.js";
import { runBankExample } from "../../examples/bank/index.js";
import { startEnsignServer, type EnsignServer } from "../../src/servers/ensign/index.js";
import { counter, counterEvents, readAllOf, uniqueCategory } from "./fixtures.js";

// The same domain code on Ensign with and without consistency=single-writer: only the URL differs.
describe("command handling on Ensign depends on configuration, not code", () => {
  let server: EnsignServer;
  let dir: string;
  let baseUrl: string;
  beforeAll(async () => {
    server = await startEnsignServer();
    dir = mkdtempSync(join(tmpdir(), "switchyard-ensign-"));
    const credentialsPath = join(dir, "credentials.json");
    writeFileSync(credentialsPath, JSON.stringify({ ClientID: server.clientId, ClientSecret: server.clientSecret }), { mode: 0o600 });
    baseUrl = `${server.url}&credentialsPath=${encodeURIComponent(credentialsPath)}`;
  });
  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("refuses commands with UnsupportedOperationError by default, writing nothing", async () => {
    const eventStream = await connect(baseUrl);
    try {
      expect(eventStream.capabilities.expectedRevision).toBe(false);
      const stream = `${uniqueCategory("ctr")}-1`;
      const handler = createCommandHandler({ eventStream, decider: counter, events: counterEvents });
      const error = await handler.handle(stream, { type: "Add", by: 1 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnsupportedOperationError);
      expect(error).toMatchObject({ capability: "expectedRevision", message: expect.stringMatching(/consistency=single-writer/) });
      await expect(readAllOf(eventStream, stream)).rejects.toMatchObject({ code: "STREAM_NOT_FOUND" });
      await expect(runBankExample(baseUrl, { log: () => undefined })).rejects.toBeInstanceOf(UnsupportedOperationError);
    } finally {
      await eventStream.close();
    }
  });

  it("runs the same commands with consistency=single-writer", async () => {
    const eventStream = await connect(`${baseUrl}&consistency=single-writer`);
    try {
      const handler = createCommandHandler({ eventStream, decider: counter, events: counterEvents });
      const result = await handler.handle(`${uniqueCategory("ctr")}-1`, { type: "Add", by: 4, times: 2 });
      expect(result).toMatchObject({ nextExpectedRevision: 1n, state: { total: 8, events: 2 } });
    } finally {
      await eventStream.close();
    }
  });
});
