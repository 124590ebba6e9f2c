import { status } from "@grpc/grpc-js";
import { AccessDeniedError, EventStoreDBClient, jsonEvent, type ResolvedEvent } from "@eventstore/db-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEventStoreEmulator, type EventStoreEmulator } from "../../../src/servers/eventstoredb/index.js";
import { makeCertificates } from "../../../src/servers/eventstoredb/tls.js";
import { collect, thrown, uniqueStream } from "./test-support.js";

let esdb: EventStoreEmulator;
const clients: EventStoreDBClient[] = [];

beforeAll(async () => {
  esdb = await startEventStoreEmulator({ tls: true, users: { admin: "changeit", ops: "s3cret:with:colons" } });
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await esdb?.close();
});

function connect(credentials?: string): EventStoreDBClient {
  const url = new URL(esdb.connectionString);
  const client = EventStoreDBClient.connectionString(
    credentials === undefined ? esdb.connectionString : esdb.connectionString.replace("esdb://", `esdb://${credentials}@`),
  );
  expect(url.searchParams.get("tls")).toBe("true");
  clients.push(client);
  return client;
}

const event = () => jsonEvent({ type: "Secured", data: { ok: true } });

describe("TLS with basic authentication", () => {
  it("serves a client that trusts the test CA and sends valid credentials", async () => {
    expect(esdb.caFile).toMatch(/ca\.crt$/);
    const client = connect("admin:changeit");
    const stream = uniqueStream();
    const result = await client.appendToStream(stream, [event()]);
    expect(result.nextExpectedRevision).toBe(0n);
    const read = await collect<ResolvedEvent>(client.readStream(stream));
    expect(read.map((e) => e.event!.type)).toEqual(["Secured"]);
    const other = connect(`ops:${encodeURIComponent("s3cret:with:colons")}`);
    expect((await collect<ResolvedEvent>(other.readStream(stream))).length).toBe(1);
  });

  it("answers a wrong password with UNAUTHENTICATED, which the client raises as AccessDeniedError", async () => {
    const client = connect("admin:wrong");
    const error = await thrown(() => collect(client.readStream(uniqueStream())));
    expect(error).toBeInstanceOf(AccessDeniedError);
    expect((error as AccessDeniedError).code).toBe(status.UNAUTHENTICATED);
    expect(String((error as Error).message)).not.toContain("wrong");
    const appendError = await thrown(() => client.appendToStream(uniqueStream(), [event()]));
    expect(appendError).toBeInstanceOf(AccessDeniedError);
  });

  it("refuses anonymous stream access with PERMISSION_DENIED and exception=access-denied", async () => {
    const client = connect();
    const error = await thrown(() => collect(client.readStream(uniqueStream())));
    expect(error).toBeInstanceOf(AccessDeniedError);
    expect((error as AccessDeniedError).code).toBe(status.PERMISSION_DENIED);
  });

  it("per-call credentials override the connection's", async () => {
    const client = connect("admin:wrong");
    const stream = uniqueStream();
    const result = await client.appendToStream(stream, [event()], {
      credentials: { username: "admin", password: "changeit" },
    });
    expect(result.nextExpectedRevision).toBe(0n);
  });
});

describe("TLS with X.509 user certificates", () => {
  const withCertificate = (files: { certFile: string; keyFile: string }) => {
    const client = EventStoreDBClient.connectionString(
      `${esdb.connectionString}&userCertFile=${files.certFile}&userKeyFile=${files.keyFile}`,
    );
    clients.push(client);
    return client;
  };

  it("authenticates the user named by the certificate's CN, without credentials", async () => {
    const client = withCertificate(esdb.issueUserCertificate!("ops"));
    const stream = uniqueStream();
    expect((await client.appendToStream(stream, [event()])).nextExpectedRevision).toBe(0n);
    expect((await collect<ResolvedEvent>(client.readStream(stream))).length).toBe(1);
  });

  it("answers a certificate for a user that does not exist with UNAUTHENTICATED", async () => {
    const client = withCertificate(esdb.issueUserCertificate!("ghost"));
    const error = await thrown(() => client.appendToStream(uniqueStream(), [event()]));
    expect(error).toBeInstanceOf(AccessDeniedError);
    expect((error as AccessDeniedError).code).toBe(status.UNAUTHENTICATED);
  });

  it("refuses the connection of a certificate from an unknown CA", async () => {
    const stranger = makeCertificates();
    try {
      const client = withCertificate(stranger.issueUserCertificate("ops"));
      const error = await thrown(() => client.appendToStream(uniqueStream(), [event()]));
      expect((error as { code?: number }).code).toBe(status.UNAVAILABLE);
    } finally {
      stranger.remove();
    }
  });
});
