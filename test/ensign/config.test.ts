import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseConnectTarget } from "../../src/connect.js";
import {
  categoryOf,
  ensignCapabilities,
  ensignConfigFromUrl,
  isQueryableTopicName,
  loadCredentialsFile,
  resolveCredentials,
  topicForCategory,
} from "../../src/adapters/ensign/index.js";
import { resolveConnectionSettings } from "../../src/adapters/ensign/credentials.js";
import { makeTopicMapper } from "../../src/adapters/ensign/topic-mapping.js";

const SECRET = "s3cr3t-value-that-must-not-leak";
const dir = mkdtempSync(join(tmpdir(), "ensign-creds-"));
function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function errorOf(fn: () => unknown): Promise<Error & { code?: string }> {
  try {
    await fn();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error("expected an error");
}

describe("ensign URLs and config", () => {
  it("parses an ensign:// URL through connect's parser", () => {
    const config = parseConnectTarget(
      "ensign://127.0.0.1:5356?insecure=true&authUrl=http%3A%2F%2F127.0.0.1%3A8088&consistency=single-writer&topic=events",
    );
    expect(config).toEqual({
      backend: "ensign",
      endpoint: "127.0.0.1:5356",
      insecure: true,
      authUrl: "http://127.0.0.1:8088",
      consistency: "single-writer",
      topic: "events",
    });
  });

  it.each([
    ["ensign://host?insecure=true", "needs a port"],
    ["ensign://host:1/path", "no path"],
    ["ensign://host:1?insecure=maybe", "true or false"],
    ["ensign://host:1?consistency=strong", "consistency"],
    ["ensign://host:1?colour=blue", "unknown option"],
    ["ensign://user:pw@host:1", "credentials"],
    ["ensign://host:1?authUrl=ftp://x", "authUrl"],
  ])("refuses %s", async (url, words) => {
    const error = await errorOf(() => parseConnectTarget(url));
    expect(error.code).toBe("CONFIGURATION");
    expect(error.message).toContain(words);
  });

  it("never echoes a client secret given in a URL", async () => {
    const error = await errorOf(() => parseConnectTarget(`ensign://host:1?clientSecret=${SECRET}&bogus=1`));
    expect(error.code).toBe("CONFIGURATION");
    expect(error.message).not.toContain(SECRET);
  });

  it("validates config objects", async () => {
    expect((await errorOf(() => parseConnectTarget({ backend: "ensign", endpoint: "no-port" } as never))).code).toBe("CONFIGURATION");
    expect((await errorOf(() => parseConnectTarget({ backend: "ensign", topic: "bad name" } as never))).code).toBe("CONFIGURATION");
    expect(parseConnectTarget({ backend: "ensign", endpoint: "[::1]:5356" } as never)).toMatchObject({ endpoint: "[::1]:5356" });
    expect(ensignConfigFromUrl(new URL("ensign://h:1?publishWindow=8"))).toMatchObject({ publishWindow: 8 });
  });
});

describe("credentials", () => {
  const env = { ENSIGN_CLIENT_ID: "env-id", ENSIGN_CLIENT_SECRET: "env-secret" };

  it("prefers arguments, then the file, then the environment", () => {
    const path = file("good.json", JSON.stringify({ ClientID: "file-id", ClientSecret: "file-secret" }));
    expect(resolveCredentials({ clientId: "a", clientSecret: "b", credentialsPath: path }, env)).toEqual({ clientId: "a", clientSecret: "b" });
    expect(resolveCredentials({ credentialsPath: path }, env)).toEqual({ clientId: "file-id", clientSecret: "file-secret" });
    expect(resolveCredentials({}, env)).toEqual({ clientId: "env-id", clientSecret: "env-secret" });
  });

  it("refuses missing or half-given credentials", async () => {
    expect((await errorOf(() => resolveCredentials({}, {}))).message).toContain("ENSIGN_CLIENT_ID");
    expect((await errorOf(() => resolveCredentials({ clientId: "only-id" }, env))).code).toBe("CONFIGURATION");
  });

  it.each([
    ["not JSON", `{"ClientID": "x", "ClientSecret": "${SECRET}"`],
    ["an array", `["${SECRET}"]`],
    ["missing ClientSecret", `{"ClientID": "x"}`],
    ["empty ClientID", `{"ClientID": "", "ClientSecret": "${SECRET}"}`],
    ["wrongly typed", `{"ClientID": 5, "ClientSecret": "${SECRET}"}`],
  ])("a credentials file that is %s is a ConfigurationError without the secret", async (name, content) => {
    const path = file(`${name.replace(/\W/g, "_")}.json`, content);
    const error = await errorOf(() => loadCredentialsFile(path));
    expect(error.code).toBe("CONFIGURATION");
    expect(error.message).not.toContain(SECRET);
  });

  it("a missing credentials file is a ConfigurationError", async () => {
    expect((await errorOf(() => loadCredentialsFile(join(dir, "absent.json")))).code).toBe("CONFIGURATION");
  });

  it("endpoint, auth URL and TLS fall back to the environment, then to Ensign's public service", () => {
    const fromEnv = resolveConnectionSettings(
      { backend: "ensign" },
      { ...env, ENSIGN_ENDPOINT: "localhost:5356", ENSIGN_AUTH_URL: "http://localhost:8088/", ENSIGN_INSECURE: "yes" },
    );
    expect(fromEnv).toMatchObject({ endpoint: "localhost:5356", authUrl: "http://localhost:8088", insecure: true });
    const defaults = resolveConnectionSettings({ backend: "ensign" }, env);
    expect(defaults).toMatchObject({ endpoint: "ensign.rotational.app:443", authUrl: "https://auth.rotational.app", insecure: false });
  });
});

describe("stream → topic mapping", () => {
  it("uses the category before the first dash", () => {
    expect(categoryOf("account-42-x")).toBe("account");
    expect(categoryOf("account")).toBe("account");
    expect(makeTopicMapper({})("account-42")).toBe("account");
  });

  it("keeps topics EnSQL can query: no dots, dashes or leading keywords", () => {
    for (const name of ["account", "Player_1", "events"]) expect(isQueryableTopicName(name)).toBe(true);
    for (const name of ["orders", "assets", "Limits", "from_x", "a.b", "a-b", "1abc", "t", "FALSE", ""]) {
      expect(isQueryableTopicName(name)).toBe(false);
    }
    const orders = topicForCategory("orders");
    expect(orders).toMatch(/^s_orders_[0-9a-f]{8}$/);
    expect(isQueryableTopicName(orders)).toBe(true);
    expect(topicForCategory("orders")).toBe(orders);
    expect(topicForCategory("ördérs")).not.toBe(topicForCategory("ordErs"));
    expect(isQueryableTopicName(topicForCategory(""))).toBe(true);
  });

  it("a fixed topic or a custom function is checked", async () => {
    expect(makeTopicMapper({ topic: "all_events" })("x-1")).toBe("all_events");
    expect((await errorOf(() => makeTopicMapper({ topic: "orders" }))).code).toBe("CONFIGURATION");
    const custom = makeTopicMapper({ topicFor: (s) => (s.startsWith("a") ? "alpha" : "bad-name") });
    expect(custom("abc")).toBe("alpha");
    expect((await errorOf(() => custom("zzz"))).code).toBe("CONFIGURATION");
  });

  it("capabilities follow the configuration", () => {
    expect(ensignCapabilities({})).toMatchObject({ expectedRevision: false, atomicAppend: false, globalOrder: false, categorySubscriptions: true });
    expect(ensignCapabilities({ consistency: "single-writer" }).expectedRevision).toBe(true);
    expect(ensignCapabilities({ topic: "all" }).globalOrder).toBe(true);
    expect(ensignCapabilities({ topicFor: () => "x" }).categorySubscriptions).toBe(false);
  });
});
