/**
 * No secret in any printed form of a configuration error: its message, String(), util.inspect
 * (what console.error and loggers print), its own properties, and the same for every error of
 * its cause chain.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import { connect, isConfigurationError, type ConnectConfig } from "../../src/index.js";

const PASSWORD = "S3cretPW";
const CLIENT_SECRET = "Cl1entS3cret";
const SECRETS = [PASSWORD, CLIENT_SECRET, "p@ss/S3cret", "p%40ss%2FS3cret"];

const dir = mkdtempSync(join(tmpdir(), "switchyard-secrets-"));
const badJsonFile = join(dir, "bad.json");
writeFileSync(badJsonFile, `{"ClientID": "id", "ClientSecret": "${CLIENT_SECRET}",`);
const badFieldFile = join(dir, "bad-field.json");
writeFileSync(badFieldFile, JSON.stringify({ ClientID: 5, ClientSecret: CLIENT_SECRET }));

const URLS = [
  // EventStoreDB: single host and host lists, each way a URL can be refused.
  `esdb://admin:${PASSWORD}@db1:2113,db2:2113?tls=maybe`,
  `esdb://admin:${PASSWORD}@db1:2113,db2:2113?tls=false`,
  `esdb://admin:${PASSWORD}@db1:2113,,db2:2113?tls=true`,
  `esdb://admin:${PASSWORD}@db1:2113,db 2:2113`,
  `esdb://admin:${PASSWORD}@db 1:2113`,
  `esdb://admin:${PASSWORD}@db1:99999`,
  `esdb://admin:${PASSWORD}@db1:2113,db2:99999`,
  `esdb://admin:${PASSWORD}@db1:2113/path`,
  `esdb://admin:${PASSWORD}@db1:2113?colour=blue`,
  `esdb://admin:${PASSWORD}@db1:2113?tls=false`,
  `esdb://admin:${PASSWORD}@db1:2113?password=${PASSWORD}`,
  `esdb://:${PASSWORD}@db1:2113`,
  `esdb://admin:p%40ss%2FS3cret@db1:2113?tls=false`,
  `esdb://admin:p@ss/S3cret@db1,db2`,
  `esdb://admin:${PASSWORD}@[::1:2113`,
  `kurrentdb://admin:${PASSWORD}@db1:2113,db2?nodePreference=boss`,
  `kurrentdb://admin:${PASSWORD}@db1:2113?tlsVerifyCert=false`,
  `esdb+discover://admin:${PASSWORD}@cluster.example:2113?maxDiscoverAttempts=x`,
  `esdb+discover://admin:${PASSWORD}@cluster.example,:2113`,
  `esdb://admin:${PASSWORD}@db1:2113?tls=true&tlsCAFile=/nonexistent/ca.pem`,
  // Ensign: the client secret in the query, in the user part, and beside every kind of refusal.
  `ensign://db1:5356?clientSecret=${CLIENT_SECRET}&insecure=maybe`,
  `ensign://db1:5356?clientSecret=${CLIENT_SECRET}&authUrl=ftp://x`,
  `ensign://db1:5356?clientSecret=${CLIENT_SECRET}&colour=blue`,
  `ensign://db1:5356?clientSecret=${CLIENT_SECRET}`,
  `ensign://db1:5356/path?clientSecret=${CLIENT_SECRET}`,
  `ensign://db1?clientId=id&clientSecret=${CLIENT_SECRET}`,
  `ensign://db 1:5356?clientSecret=${CLIENT_SECRET}`,
  `ensign://id:${CLIENT_SECRET}@db1:5356`,
  // Malformed and unknown.
  `nosuch://admin:${PASSWORD}@db1?token=${CLIENT_SECRET}`,
  `esdb//admin:${PASSWORD}@db1`,
];

const CONFIGS: unknown[] = [
  { backend: "eventstoredb", username: "admin", password: PASSWORD, tls: false },
  { backend: "eventstoredb", password: PASSWORD },
  { backend: "eventstoredb", username: "admin", password: PASSWORD, hosts: [{ host: "" }] },
  { backend: "eventstoredb", username: "admin", password: PASSWORD, hosts: [{ host: "db1", port: PASSWORD }] },
  { backend: "eventstoredb", username: "admin", password: PASSWORD, tlsCAFile: "/nonexistent/ca.pem" },
  { backend: "eventstoredb", username: "admin", password: PASSWORD, extra: PASSWORD },
  { backend: "eventstoredb", username: [PASSWORD], password: PASSWORD },
  { backend: "ensign", clientId: "id", clientSecret: CLIENT_SECRET, authUrl: "ftp://x" },
  { backend: "ensign", clientSecret: CLIENT_SECRET },
  { backend: "ensign", clientId: "id", clientSecret: CLIENT_SECRET, endpoint: "nope" },
  { backend: "ensign", clientId: "id", clientSecret: CLIENT_SECRET, consistency: CLIENT_SECRET },
  { backend: "ensign", credentialsPath: badJsonFile },
  { backend: "ensign", credentialsPath: badFieldFile },
  { backend: "ensign", clientId: "id", clientSecret: CLIENT_SECRET, reconnect: { maxAttempts: CLIENT_SECRET } },
  { backend: "memory", password: PASSWORD },
  { backend: "nosuch", password: PASSWORD },
];

/** Every printed form of `error` and of each error in its cause chain. */
function printedForms(error: unknown): string[] {
  const forms = [inspect(error, { depth: Infinity, showHidden: false }), inspect(error, { depth: Infinity, showHidden: true })];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 20; depth++) {
    forms.push(String(current));
    if (typeof current === "object") {
      const own = Object.fromEntries(Object.getOwnPropertyNames(current).map((k) => [k, (current as Record<string, unknown>)[k]]));
      forms.push(JSON.stringify(own, (_key, value: unknown) => (typeof value === "bigint" ? String(value) : value instanceof Error ? String(value) : value)));
      forms.push(JSON.stringify(current, (_key, value: unknown) => (typeof value === "bigint" ? String(value) : value)) ?? "");
    }
    current = typeof current === "object" ? (current as { cause?: unknown }).cause : undefined;
  }
  return forms;
}

async function configurationError(target: unknown): Promise<Error> {
  try {
    const store = await connect(target as ConnectConfig);
    await store.close();
  } catch (error) {
    expect(isConfigurationError(error), `${String(error)}`).toBe(true);
    return error as Error;
  }
  throw new Error(`connect() accepted ${inspect(target)}`);
}

function expectNoSecret(error: Error): void {
  for (const form of printedForms(error)) {
    for (const secret of SECRETS) expect(form, `printed form of ${error.message}`).not.toContain(secret);
  }
}

describe("configuration errors carry no secret in any printed form", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it.each(URLS)("%s", async (url) => {
    const error = await configurationError(url);
    expectNoSecret(error);
  });

  it.each(CONFIGS.map((c) => [inspect(c, { breakLength: Infinity }), c] as const))("%s", async (_name, config) => {
    const error = await configurationError(config);
    expectNoSecret(error);
  });

  it("an auth URL from the environment that does not parse", async () => {
    vi.stubEnv("ENSIGN_AUTH_URL", `http://id:${CLIENT_SECRET}@auth host/?token=${CLIENT_SECRET}`);
    const error = await configurationError({ backend: "ensign", clientId: "id", clientSecret: CLIENT_SECRET });
    expect(error.message).toContain("authUrl");
    expectNoSecret(error);
  });

  it("the masked message still says what was wrong", async () => {
    const error = await configurationError(`esdb://admin:${PASSWORD}@db1:2113?tls=maybe`);
    expect(error.message).toMatch(/tls must be "true" or "false"/);
    const malformed = await configurationError(`esdb://admin:${PASSWORD}@db 1:2113`);
    expect(malformed.message).toContain("esdb://admin:***@db 1:2113");
  });
});
