import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { connect, isConfigurationError, isConnectionError, parseConnectTarget } from "../../src/index.js";
import { createPostgresEventStream } from "../../src/adapters/postgres/index.js";

const PASSWORD = "S3cretPW";
const SECRETS = [PASSWORD, "p@ss/S3cret", "p%40ss%2FS3cret"];

function printed(error: unknown): string {
  const forms: string[] = [inspect(error, { depth: Infinity, showHidden: true })];
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    forms.push(String(current), JSON.stringify(Object.fromEntries(Object.entries(current))));
  }
  return forms.join("\n");
}

async function refusal(target: string | object): Promise<unknown> {
  try {
    const store = await connect(target as never);
    await store.close();
  } catch (error) {
    return error;
  }
  throw new Error("accepted");
}

describe("postgres URLs and config", () => {
  it("reads the libpq URL form, our schema and pool options", () => {
    expect(parseConnectTarget(`postgresql://app:${PASSWORD}@db.example:6543/events?schema=orders&sslmode=require&poolMax=20&listen=false&pollIntervalMs=250`)).toEqual({
      backend: "postgres",
      host: "db.example",
      port: 6543,
      user: "app",
      password: PASSWORD,
      database: "events",
      schema: "orders",
      sslmode: "require",
      poolMax: 20,
      listen: false,
      pollIntervalMs: 250,
    });
    expect(parseConnectTarget("postgres://u:p%40ss%2FS3cret@h/db")).toMatchObject({ password: "p@ss/S3cret" });
    expect(parseConnectTarget("postgres:///db?host=/var/run/postgresql")).toMatchObject({ host: "/var/run/postgresql", database: "db" });
  });

  it.each([
    `postgres://app:${PASSWORD}@db/events?schema=Bad-Name`,
    `postgres://app:${PASSWORD}@db/events?colour=blue`,
    `postgres://app:${PASSWORD}@db/events?poolMax=lots`,
    `postgres://app:${PASSWORD}@db/events?sslmode=sometimes`,
    `postgres://app:${PASSWORD}@db/events/extra`,
    `postgresql://app:p%40ss%2FS3cret@db/events?listen=maybe`,
    { backend: "postgres", password: PASSWORD, schema: "1bad" },
    { backend: "postgres", password: PASSWORD, extra: PASSWORD },
  ])("refuses %s with a ConfigurationError that prints no password", async (target) => {
    const error = await refusal(target);
    expect(isConfigurationError(error), String(error)).toBe(true);
    for (const secret of SECRETS) expect(printed(error)).not.toContain(secret);
  });

  it("an unreachable server is a ConnectionError that never sent anything and prints no password", async () => {
    const store = createPostgresEventStream({ connection: `postgres://app:${PASSWORD}@127.0.0.1:1/db?schema=nowhere` });
    try {
      const error = await store.append("s-1", [{ type: "t", data: {} }]).catch((e: unknown) => e);
      expect(isConnectionError(error), String(error)).toBe(true);
      expect((error as { outcomeUnknown: boolean }).outcomeUnknown).toBe(false);
      for (const secret of SECRETS) expect(printed(error)).not.toContain(secret);
    } finally {
      await store.close();
    }
  });
});
