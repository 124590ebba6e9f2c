/**
 * A cluster named by a comma-separated host list, as the official client accepts it: the hosts
 * reach the client as gossip seeds. The client's constructor is observed, not replaced.
 */
import { inspect } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import { connect, isConfigurationError, parseConnectTarget } from "../../src/index.js";

const constructed = vi.hoisted(() => [] as unknown[][]);

vi.mock("@eventstore/db-client", async (importOriginal) => {
  const original = await importOriginal<typeof import("@eventstore/db-client")>();
  class ObservedClient extends original.EventStoreDBClient {
    constructor(...args: unknown[]) {
      constructed.push(args);
      super(...(args as ConstructorParameters<typeof original.EventStoreDBClient>));
    }
  }
  return { ...original, EventStoreDBClient: ObservedClient };
});

const PASSWORD = "S3cretPW";

/** The settings, channel credentials and user credentials the client was built with. */
async function clientArgumentsFor(url: string): Promise<unknown[]> {
  constructed.length = 0;
  const store = await connect(url);
  await store.close();
  expect(constructed).toHaveLength(1);
  return constructed[0]!;
}

describe("EventStoreDB host-list URLs", () => {
  afterEach(() => {
    constructed.length = 0;
  });

  it("esdb://user:pass@h1,h2,h3?tls=true gives the client three gossip seeds and the credentials", async () => {
    const [settings, channel, credentials] = await clientArgumentsFor(
      `esdb://admin:${PASSWORD}@h1:2113,h2:2114,h3?tls=true&nodePreference=follower`,
    );
    expect(settings).toMatchObject({
      endpoints: [
        { address: "h1", port: 2113 },
        { address: "h2", port: 2114 },
        { address: "h3", port: 2113 },
      ],
      nodePreference: "follower",
    });
    expect(settings).not.toHaveProperty("endpoint");
    expect(settings).not.toHaveProperty("discover");
    expect(channel).toEqual({ insecure: false });
    expect(credentials).toEqual({ username: "admin", password: PASSWORD });
  });

  it("kurrentdb:// and esdb+discover:// host lists are gossip seeds too; IPv6 hosts keep their ports", async () => {
    const [kurrent] = await clientArgumentsFor("kurrentdb://[::1]:2113,10.0.0.2:3113?tls=false");
    expect(kurrent).toMatchObject({ endpoints: [{ address: "::1", port: 2113 }, { address: "10.0.0.2", port: 3113 }] });
    const [discover] = await clientArgumentsFor(`esdb+discover://admin:${PASSWORD}@seed1.example,seed2.example:2114`);
    expect(discover).toMatchObject({
      endpoints: [
        { address: "seed1.example", port: 2113 },
        { address: "seed2.example", port: 2114 },
      ],
    });
    expect(discover).not.toHaveProperty("discover");
  });

  it("one host stays one node, or a DNS name to discover from", async () => {
    expect((await clientArgumentsFor("esdb://h1:2113?tls=false"))[0]).toMatchObject({ endpoint: { address: "h1", port: 2113 } });
    expect((await clientArgumentsFor("esdb+discover://cluster.example:2113"))[0]).toMatchObject({
      discover: { address: "cluster.example", port: 2113 },
    });
  });

  it("parses a host list into the typed config, with percent-decoded credentials", () => {
    expect(parseConnectTarget("esdb://ad%3Amin:p%40ss@h1:2113,h2:2113/?tls=true&connectionName=a")).toEqual({
      backend: "eventstoredb",
      hosts: [
        { host: "h1", port: 2113 },
        { host: "h2", port: 2113 },
      ],
      discover: false,
      tls: true,
      connectionName: "a",
      username: "ad:min",
      password: "p@ss",
    });
  });

  it("a bad host or option in a host list is refused, naming the problem and masking the password", () => {
    for (const [url, says] of [
      [`esdb://admin:${PASSWORD}@h1:2113,,h3?tls=true`, "Malformed EventStoreDB URL"],
      [`esdb://admin:${PASSWORD}@h1:2113,h2:70000`, "Malformed EventStoreDB URL"],
      [`esdb://admin:${PASSWORD}@h1,h2?tls=maybe`, 'tls must be "true" or "false"'],
      [`esdb://admin:${PASSWORD}@h1,h2?tls=false`, "credentials with tls=false"],
      [`esdb://admin:${PASSWORD}@h1,h2/path`, "takes no path"],
    ] as const) {
      let error: unknown;
      try {
        parseConnectTarget(url);
      } catch (e) {
        error = e;
      }
      expect(isConfigurationError(error), url).toBe(true);
      expect((error as Error).message).toContain(says);
      expect(inspect(error, { depth: Infinity })).not.toContain(PASSWORD);
    }
  });
});
