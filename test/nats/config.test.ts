import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { connect, isAuthenticationError, isConfigurationError, parseConnectTarget } from "../../src/index.js";
import { createNatsEventStream } from "../../src/adapters/nats/index.js";
import { consistencyFor } from "../../src/adapters/nats/connection.js";
import { decodeToken, encodeToken, SubjectLayout } from "../../src/adapters/nats/subjects.js";
import { freePort, NATS_SERVER } from "./cluster.js";
import { NATS_URL } from "./server.js";

const PASSWORD = "S3cretPW";
const TOKEN = "T0kenS3cret";

function printed(error: unknown): string {
  const forms: string[] = [inspect(error, { depth: Infinity, showHidden: true })];
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    forms.push(String(current), current.stack ?? "", JSON.stringify(Object.fromEntries(Object.entries(current))));
  }
  return forms.join("\n");
}

async function failure(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error("accepted");
}

describe("nats URLs and config", () => {
  it("reads a host list, the stream, replicas and credentials", () => {
    expect(parseConnectTarget(`nats://app:${PASSWORD}@n1.example:4222,n2.example,[::1]:5222?stream=orders&replicas=3&duplicateWindowMs=600000&timeoutMs=2000`)).toEqual({
      backend: "nats",
      servers: ["n1.example:4222", "n2.example:4222", "[::1]:5222"],
      stream: "orders",
      replicas: 3,
      duplicateWindowMs: 600_000,
      timeoutMs: 2_000,
      user: "app",
      password: PASSWORD,
    });
    expect(parseConnectTarget(`nats://${TOKEN}@127.0.0.1`)).toEqual({ backend: "nats", servers: ["127.0.0.1:4222"], token: TOKEN });
    expect(parseConnectTarget("nats://127.0.0.1:4222?creds=/etc/nats/app.creds")).toEqual({
      backend: "nats",
      servers: ["127.0.0.1:4222"],
      credsFile: "/etc/nats/app.creds",
    });
  });

  it("refuses bad URLs and configs with what was expected, never printing a secret", async () => {
    const cases = [
      `nats://app:${PASSWORD}@host?stream=a.b`,
      `nats://app:${PASSWORD}@host?replicas=7`,
      `nats://app:${PASSWORD}@host?nope=1`,
      `nats://app:${PASSWORD}@host/path`,
      `nats://host?token=${TOKEN}&creds=/x.creds`,
    ];
    for (const url of cases) {
      const error = await failure(() => connect(url));
      expect(isConfigurationError(error)).toBe(true);
      expect(printed(error)).not.toContain(PASSWORD);
      expect(printed(error)).not.toContain(TOKEN);
      expect((error as Error).message).toContain("expected");
    }
    const config = await failure(async () => createNatsEventStream({ connection: { servers: [], password: PASSWORD } }));
    expect(isConfigurationError(config)).toBe(true);
    expect(printed(config)).not.toContain(PASSWORD);
  });

  it("a refused login is an AuthenticationError that does not print the password", async () => {
    const port = await freePort();
    const server = spawn(NATS_SERVER, ["-a", "127.0.0.1", "-p", String(port), "--user", "app", "--pass", "right-one"], { stdio: "ignore" });
    try {
      const store = createNatsEventStream({ connection: `nats://app:${PASSWORD}@127.0.0.1:${port}` });
      let error: unknown;
      for (let attempt = 0; attempt < 50; attempt++) {
        error = await failure(() => store.ping({ timeoutMs: 2_000 }));
        if (isAuthenticationError(error)) break; // before that, the server was still starting
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(isAuthenticationError(error)).toBe(true);
      expect(printed(error)).not.toContain(PASSWORD);
      await store.close();
    } finally {
      server.kill("SIGKILL");
    }
  });

  it("an unreadable or malformed creds file is a ConfigurationError", async () => {
    const dir = mkdtempSync(join(tmpdir(), "switchyard-nats-"));
    try {
      const missing = createNatsEventStream({ connection: `${NATS_URL}?creds=${encodeURIComponent(join(dir, "absent.creds"))}` });
      const error = await failure(() => missing.ping({ timeoutMs: 3_000 }));
      expect(isConfigurationError(error)).toBe(true);
      await missing.close();
      writeFileSync(join(dir, "bad.creds"), "not a creds file");
      const bad = createNatsEventStream({ connection: `${NATS_URL}?creds=${encodeURIComponent(join(dir, "bad.creds"))}` });
      const badError = await failure(() => bad.ping({ timeoutMs: 3_000 }));
      expect(isConfigurationError(badError)).toBe(true);
      await bad.close();
      const dead = createNatsEventStream({ connection: { servers: ["127.0.0.1:1"], user: "app", password: PASSWORD } });
      const deadError = await failure(() => dead.ping({ timeoutMs: 2_000 }));
      expect(printed(deadError)).not.toContain(PASSWORD);
      await dead.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("nats subjects", () => {
  it("encodes any stream id into subject tokens one-to-one", () => {
    const ids = ["", "a", "a.b", "a b", "a*b>c", "~", "~7E", "ünïcode-✓", "tab\tx", "x_y-z"];
    for (const id of ids) expect(decodeToken(encodeToken(id))).toBe(id);
    expect(new Set(ids.map(encodeToken)).size).toBe(ids.length);
    for (const token of ids.map(encodeToken)) expect(token).toMatch(/^[A-Za-z0-9_~-]+$/);
  });

  it("puts the category in its own token, so one filter subject matches a category", () => {
    const layout = new SubjectLayout("store");
    expect(layout.of("account-42")).toBe("store.account.42");
    expect(layout.of("account-4-2")).toBe("store.account.4-2");
    expect(layout.of("settings")).toBe("store.settings");
    expect(layout.of("a.b-c d")).toBe("store.a~2Eb.c~20d");
    expect(layout.category("account")).toBe("store.account.*");
    for (const id of ["account-42", "settings", "a.b-c d", "x-", "-y"]) expect(layout.streamOf(layout.of(id))).toBe(id);
  });
});

describe("nats consistency", () => {
  it("adds the stream-wide expectation on replicated streams of servers before 2.9.21 (nats-server #4320)", () => {
    expect(consistencyFor(1, "2.9.10")).toBe("subject");
    expect(consistencyFor(3, "2.9.10")).toBe("stream");
    expect(consistencyFor(3, "2.9.20")).toBe("stream");
    expect(consistencyFor(3, "2.9.21")).toBe("subject");
    expect(consistencyFor(3, "2.10.0")).toBe("subject");
    expect(consistencyFor(3, undefined)).toBe("stream");
  });
});
