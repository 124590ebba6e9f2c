import { describe, expect, it } from "vitest";
import { connect, isConfigurationError, parseConnectTarget } from "../../src/index.js";

async function configurationError(target: unknown): Promise<Error> {
  try {
    await connect(target as string);
  } catch (error) {
    expect(isConfigurationError(error), String(error)).toBe(true);
    return error as Error;
  }
  throw new Error(`connect(${String(target)}) did not fail`);
}

describe("connect()", () => {
  it("opens the memory backend from a URL and from a config object", async () => {
    for (const target of ["memory:", { backend: "memory" as const }]) {
      const store = await connect(target);
      expect(store.capabilities.backend).toBe("memory");
      const result = await store.append("thing-1", [{ type: "made", data: {} }]);
      expect(result.nextExpectedRevision).toBe(0n);
      await store.close();
    }
  });

  it("passes URL options into the typed config", async () => {
    expect(parseConnectTarget("memory:?maxAppendBytes=64")).toEqual({ backend: "memory", maxAppendBytes: 64 });
    const store = await connect("memory:?maxAppendBytes=64");
    await expect(store.append("thing-1", [{ type: "big", data: "x".repeat(100), contentType: "text/plain" }])).rejects.toMatchObject({
      code: "VALIDATION",
    });
    await store.close();
  });

  it("refuses an unknown scheme, saying which schemes it expects", async () => {
    const error = await configurationError("mongodb://localhost:27017");
    expect(error.message).toContain('Unknown scheme "mongodb:"');
    expect(error.message).toContain("memory:");
  });

  it("refuses a malformed URL, saying what was expected", async () => {
    const error = await configurationError("not a url at all");
    expect(error.message).toContain("Malformed connection URL");
    expect(error.message).toContain("memory:");
  });

  it("never echoes a password or secret from a refused URL", async () => {
    const error = await configurationError("nosuch://admin:hunter2@host:1?client_secret=s3cr3t&token=abc");
    expect(error.message).not.toContain("hunter2");
    expect(error.message).not.toContain("s3cr3t");
    expect(error.message).not.toContain("abc&");
    expect(error.message).toContain("***");
  });

  it("refuses unknown options and bad values on memory URLs", async () => {
    expect((await configurationError("memory:?colour=blue")).message).toContain('unknown option "colour"');
    expect((await configurationError("memory:?maxAppendBytes=-3")).message).toContain("positive integer");
    expect((await configurationError("memory://somehost")).message).toContain("no host");
  });

  it("validates config objects with zod and names the bad field", async () => {
    expect((await configurationError({ backend: "memory", maxAppendBytes: "big" })).message).toContain("maxAppendBytes");
    expect((await configurationError({ backend: "memory", extra: 1 })).message).toContain("Invalid memory config");
    expect((await configurationError({ backend: "cassandra" })).message).toContain('Unknown backend "cassandra"');
    expect((await configurationError(null)).message).toContain("expects a URL string or a config object");
    expect((await configurationError(42)).message).toContain("expects a URL string or a config object");
  });
});
