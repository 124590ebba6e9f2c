// Plain HTTP/1.1 on the gRPC port, as the real server answers it: the liveness probe and /info
// for tooling and health checks, a clear 404 for everything else; under TLS too (ALPN http/1.1).
import { readFileSync } from "node:fs";
import { request as httpsRequest, type RequestOptions } from "node:https";
import type { ConnectionOptions, TLSSocket } from "node:tls";
import { EventStoreDBClient, jsonEvent } from "@eventstore/db-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEventStoreEmulator, type EventStoreEmulator } from "../../../src/servers/eventstoredb/index.js";
import { uniqueStream } from "./test-support.js";

let esdb: EventStoreEmulator;
let secure: EventStoreEmulator;

beforeAll(async () => {
  [esdb, secure] = await Promise.all([startEventStoreEmulator({ runProjections: "system" }), startEventStoreEmulator({ tls: true })]);
});

afterAll(async () => {
  await Promise.all([esdb?.close(), secure?.close()]);
});

const at = (path: string) => `http://127.0.0.1:${esdb.port}${path}`;

describe("legacy HTTP/1.1 in clear text", () => {
  it("answers the liveness probe with 204, or the liveCode asked for; only GET and HEAD", async () => {
    expect((await fetch(at("/health/live"))).status).toBe(204);
    expect((await fetch(at("/health/live"), { method: "HEAD" })).status).toBe(204);
    expect((await fetch(at("/health/live?liveCode=200"))).status).toBe(200);
    expect((await fetch(at("/health/live"), { method: "POST" })).status).toBe(405);
  });

  it("answers /info with the version, the node state, the features and the authentication type", async () => {
    const response = await fetch(at("/info"));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({
      dbVersion: expect.stringMatching(/^\d+\.\d+\.\d+$/),
      esVersion: expect.stringMatching(/^\d+\.\d+\.\d+$/),
      state: "leader",
      features: { projections: true, userManagement: false, atomPub: false },
      authentication: { type: "internal", properties: {} },
    });
  });

  it("refuses every other path with 404 and a text naming what is served", async () => {
    const response = await fetch(at("/streams/orders"));
    expect(response.status).toBe(404);
    expect(await response.text()).toContain("only GET /health/live and GET /info");
  });

  it("still serves gRPC on the same port", async () => {
    const client = EventStoreDBClient.connectionString(esdb.connectionString);
    try {
      const result = await client.appendToStream(uniqueStream(), [jsonEvent({ type: "Mixed", data: {} })]);
      expect(result.nextExpectedRevision).toBe(0n);
    } finally {
      await client.dispose();
    }
  });
});

describe("legacy HTTP/1.1 over TLS", () => {
  it("answers /health/live and /info to a client that negotiated http/1.1", async () => {
    const get = (path: string) =>
      new Promise<{ status: number; body: string; protocol: string | false | null }>((resolve, reject) => {
        const options: RequestOptions & ConnectionOptions = {
          host: "127.0.0.1",
          port: secure.port,
          path,
          ca: readFileSync(secure.caFile!),
          servername: "localhost",
          agent: false,
          ALPNProtocols: ["http/1.1"],
        };
        const request = httpsRequest(
          options,
          (response) => {
            let body = "";
            response.setEncoding("utf8");
            response.on("data", (chunk: string) => (body += chunk));
            response.on("end", () =>
              resolve({ status: response.statusCode ?? 0, body, protocol: (response.socket as TLSSocket).alpnProtocol }),
            );
          },
        );
        request.on("error", reject);
        request.end();
      });
    const live = await get("/health/live");
    expect(live).toMatchObject({ status: 204, protocol: "http/1.1" });
    const info = await get("/info");
    expect(info.status).toBe(200);
    expect(JSON.parse(info.body)).toMatchObject({ state: "leader", features: { projections: false, userManagement: true } });
  });
});
