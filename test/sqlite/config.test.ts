import { resolve } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { nativeModuleError } from "../../src/adapters/sqlite/native.js";
import { createSqliteEventStream, type SqliteEventStream } from "../../src/adapters/sqlite/index.js";
import { connect, parseConnectTarget } from "../../src/connect.js";
import { missingPeerError } from "../../src/core/peer-dependencies.js";
import { tempDirectory } from "./temp-files.js";

const temp = tempDirectory("config");
afterAll(() => temp.remove());

describe("sqlite: URLs and config", () => {
  it.each([
    ["sqlite:./events.db", { backend: "sqlite", path: "./events.db" }],
    ["sqlite:events.db", { backend: "sqlite", path: "events.db" }],
    ["sqlite:///var/data/events.db", { backend: "sqlite", path: "/var/data/events.db" }],
    ["sqlite::memory:", { backend: "sqlite", path: ":memory:" }],
    ["sqlite:./my%20events.db?synchronous=full&busyTimeoutMs=250", { backend: "sqlite", path: "./my events.db", synchronous: "full", busyTimeoutMs: 250 }],
    ["SQLITE:./e.db?pollIntervalMs=20&maxAppendBytes=1000", { backend: "sqlite", path: "./e.db", pollIntervalMs: 20, maxAppendBytes: 1000 }],
  ])("%s", (url, expected) => {
    expect(parseConnectTarget(url)).toEqual(expected);
  });

  it.each([
    ["sqlite:", "needs a file path"],
    ["sqlite://host/events.db", "names a file, not a host"],
    ["sqlite:./e.db?synchronous=off", 'synchronous must be "normal" or "full"'],
    ["sqlite:./e.db?busyTimeoutMs=-1", "busyTimeoutMs must be an integer"],
    ["sqlite:./e.db?journal=wal", 'unknown option "journal"'],
  ])("refuses %s", (url, message) => {
    expect(() => parseConnectTarget(url)).toThrow(expect.objectContaining({ code: "CONFIGURATION", message: expect.stringContaining(message) }));
  });

  it("a config object is checked like a URL", () => {
    expect(parseConnectTarget({ backend: "sqlite", path: "x.db", synchronous: "full" })).toEqual({ backend: "sqlite", path: "x.db", synchronous: "full" });
    expect(() => parseConnectTarget({ backend: "sqlite", path: "x.db", synchronous: "off" } as never)).toThrow(
      expect.objectContaining({ code: "CONFIGURATION" }),
    );
  });

  it("opens WAL with the chosen synchronous level and busy timeout", async () => {
    const normal = (await connect(`sqlite:${temp.file("normal.db")}`)) as SqliteEventStream;
    const full = (await connect(`sqlite:${temp.file("full.db")}?synchronous=full&busyTimeoutMs=1234`)) as SqliteEventStream;
    expect(normal.database.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(normal.database.pragma("synchronous", { simple: true })).toBe(1);
    expect(full.database.pragma("synchronous", { simple: true })).toBe(2);
    expect(full.database.pragma("busy_timeout", { simple: true })).toBe(1234);
    await Promise.all([normal.close(), full.close()]);
  });

  it("sqlite::memory: is a store of its own; a relative path resolves against the working directory", async () => {
    const store = await connect("sqlite::memory:");
    await store.append("a-1", [{ type: "e", data: {} }]);
    expect(store.capabilities.backend).toBe("sqlite");
    await store.close();
    const relative = (await connect(`sqlite:${temp.file("rel.db").replace(process.cwd(), ".")}`)) as SqliteEventStream;
    expect(relative.database.name).toBe(resolve(temp.file("rel.db")));
    await relative.close();
  });

  it("a missing directory is a ConfigurationError", async () => {
    await expect(connect(`sqlite:${temp.file("no/such/dir/e.db")}`)).rejects.toMatchObject({
      code: "CONFIGURATION",
      message: expect.stringContaining("directory does not exist"),
    });
  });

  it("a lock held past busyTimeoutMs is a ConnectionError, nothing written", async () => {
    const file = temp.file("busy.db");
    const store = await createSqliteEventStream({ path: file, busyTimeoutMs: 50 });
    const other = new Database(file);
    other.exec("BEGIN IMMEDIATE");
    try {
      await expect(store.append("busy-1", [{ type: "e", data: {} }])).rejects.toMatchObject({ code: "CONNECTION", outcomeUnknown: false });
    } finally {
      other.exec("ROLLBACK");
      other.close();
    }
    await store.append("busy-1", [{ type: "e", data: {} }]);
    await store.close();
  });
});

describe("sqlite: the native module", () => {
  it("a module built for another Node ABI is a ConfigurationError naming this Node and the fix", () => {
    const error = nativeModuleError(
      new Error(
        "The module '/app/node_modules/better-sqlite3/build/Release/better_sqlite3.node' was compiled against a different Node.js version using\nNODE_MODULE_VERSION 127. This version of Node.js requires\nNODE_MODULE_VERSION 115.",
      ),
    );
    expect(error?.code).toBe("CONFIGURATION");
    expect(error?.message).toContain(process.version);
    expect(error?.message).toContain("NODE_MODULE_VERSION 127");
    expect(error?.message).toContain("npm rebuild better-sqlite3");
  });

  it("a module never built (install script blocked) says how to allow and build it", () => {
    const error = nativeModuleError(new Error("Could not locate the bindings file. Tried:\n → /app/node_modules/better-sqlite3/build/better_sqlite3.node"));
    expect(error?.message).toContain("npm install-scripts approve better-sqlite3 && npm rebuild better-sqlite3");
    expect(error?.message).toContain(process.version);
  });

  it("a missing package names the optional peer and its install command", () => {
    const notFound = Object.assign(new Error("Cannot find package 'better-sqlite3' imported from /app/dist/sqlite.js"), { code: "ERR_MODULE_NOT_FOUND" });
    const error = missingPeerError(notFound, "sqlite", ["better-sqlite3"]);
    expect(error?.message).toContain('npm install "better-sqlite3@^12"');
  });
});
