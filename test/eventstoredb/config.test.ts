import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { connect, parseConnectTarget } from "../../src/connect.js";
import { isConfigurationError } from "../../src/core/errors.js";
import { createEventStoreDBEventStream } from "../../src/adapters/eventstoredb/index.js";

const SECRET = "s3cr3t-Pa55";

function configurationError(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    expect(isConfigurationError(error)).toBe(true);
    return error as Error;
  }
  throw new Error("expected a ConfigurationError");
}

describe("EventStoreDB connection strings", () => {
  it("parses a single insecure node with its options", () => {
    expect(parseConnectTarget("esdb://db.example:2114?tls=false&connectionName=app&defaultDeadline=2500&nodePreference=follower")).toEqual({
      backend: "eventstoredb",
      hosts: [{ host: "db.example", port: 2114 }],
      discover: false,
      tls: false,
      connectionName: "app",
      defaultDeadlineMs: 2500,
      nodePreference: "follower",
    });
  });

  it("defaults the port to 2113, accepts kurrentdb:// and matches option keys like the official client", () => {
    expect(parseConnectTarget("kurrentdb://localhost?TLS=false&keep-alive-interval=-1")).toMatchObject({
      backend: "eventstoredb",
      hosts: [{ host: "localhost", port: 2113 }],
      tls: false,
      keepAliveIntervalMs: -1,
    });
    expect(parseConnectTarget("esdb://[::1]:2113?tls=false")).toMatchObject({ hosts: [{ host: "::1", port: 2113 }] });
  });

  it("esdb+discover:// turns discovery on", () => {
    expect(parseConnectTarget("esdb+discover://cluster.example:2113?tlsCAFile=/etc/ca.pem")).toMatchObject({
      discover: true,
      tlsCAFile: "/etc/ca.pem",
    });
    expect(parseConnectTarget("kurrentdb+discover://cluster.example")).toMatchObject({ discover: true });
  });

  it("takes URL-encoded credentials with TLS", () => {
    const config = parseConnectTarget(`esdb://ad%40min:${encodeURIComponent("p@ss:w/rd")}@db.example:2113?tlsCAFile=ca.pem`);
    expect(config).toMatchObject({ username: "ad@min", password: "p@ss:w/rd" });
  });

  it("refuses credentials with tls=false (the official client would silently drop them) without echoing the password", () => {
    const error = configurationError(() => parseConnectTarget(`esdb://admin:${SECRET}@localhost:2113?tls=false`));
    expect(error.message).toMatch(/tls=false/);
    expect(error.message).toMatch(/silently drop/);
    expect(error.message).not.toContain(SECRET);
    const fromConfig = configurationError(() =>
      parseConnectTarget({ backend: "eventstoredb", tls: false, username: "admin", password: SECRET }),
    );
    expect(fromConfig.message).toMatch(/credentials need TLS/);
    expect(fromConfig.message).not.toContain(SECRET);
  });

  it("refuses malformed URLs and options, saying what was expected and masking secrets", () => {
    for (const [url, pattern] of [
      [`esdb://admin:${SECRET}@localhost:2113?tls=maybe`, /tls must be "true" or "false"/],
      [`esdb://admin:${SECRET}@localhost:2113?colour=blue`, /unknown option "colour"/],
      [`esdb://admin:${SECRET}@localhost:2113/some/path`, /takes no path/],
      [`esdb://localhost:2113?tls=false&tlsVerifyCert=false`, /tlsVerifyCert=false is not supported/],
      [`esdb://localhost:2113?defaultDeadline=soon`, /defaultDeadline must be an integer/],
      [`esdb://localhost:2113?nodePreference=fastest`, /nodePreference must be one of/],
      [`esdb://:${SECRET}@localhost:2113`, /password but no user name/],
      [`esdb://admin:${SECRET}@host1:2113,host2:2113?tls=false`, /credentials with tls=false/],
      [`esdb://admin:${SECRET}@host1:2113,,host2:2113`, /Malformed EventStoreDB URL/],
    ] as const) {
      const error = configurationError(() => parseConnectTarget(url));
      expect(error.message).toMatch(pattern);
      expect(error.message).not.toContain(SECRET);
    }
  });

  it("connect() refuses a bad config object before loading the driver", async () => {
    await expect(connect({ backend: "eventstoredb", hosts: [] })).rejects.toSatisfy(isConfigurationError);
    await expect(
      connect({ backend: "eventstoredb", username: "admin" } as Parameters<typeof connect>[0]),
    ).rejects.toThrow(/username and password must be given together/);
  });

  it("a config object takes several gossip seeds", () => {
    expect(
      parseConnectTarget({ backend: "eventstoredb", hosts: [{ host: "a" }, { host: "b", port: 2200 }], tls: false }),
    ).toMatchObject({ hosts: [{ host: "a" }, { host: "b", port: 2200 }] });
  });

  it("a missing CA file is a ConfigurationError, not a crash on first use", () => {
    expect(() => createEventStoreDBEventStream({ config: { tlsCAFile: "/nonexistent/ca.pem" } })).toThrow(/file not found/);
  });

  it("createEventStoreDBEventStream refuses a bad config with a ConfigurationError and never echoes the password", () => {
    try {
      createEventStoreDBEventStream({ config: { tls: false, username: "admin", password: SECRET } });
      throw new Error("expected a refusal");
    } catch (error) {
      expect(isConfigurationError(error)).toBe(true);
      expect((error as Error).message).not.toContain(SECRET);
    }
  });
});

describe("loading", () => {
  it("importing switchyard-events and parsing an esdb:// URL loads no gRPC library; connect() loads the adapter", () => {
    const index = fileURLToPath(new URL("../../src/index.ts", import.meta.url));
    const script = `
      import { createRequire } from "node:module";
      const require = createRequire(import.meta.url);
      const grpcLoaded = () => Object.keys(require.cache).some((k) => /@eventstore|@grpc/.test(k));
      const { connect, parseConnectTarget } = await import(${JSON.stringify(index)});
      parseConnectTarget("esdb://localhost:2113?tls=false");
      const before = grpcLoaded();
      const store = await connect("esdb://127.0.0.1:1?tls=false");
      const after = grpcLoaded();
      await store.close();
      console.log(JSON.stringify({ before, after }));
    `;
    const tsx = fileURLToPath(new URL("../../node_modules/tsx/dist/esm/index.mjs", import.meta.url));
    const output = execFileSync(process.execPath, ["--import", tsx, "--input-type=module", "-e", script], { encoding: "utf8" });
    expect(JSON.parse(output.trim().split("\n").at(-1)!)).toEqual({ before: false, after: true });
  });
});
