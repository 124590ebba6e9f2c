import { z } from "zod";
import { ConfigurationError } from "../../core/errors.js";

/** How long a write waits for another connection's write lock before failing (SQLite's busy timeout). */
export const DEFAULT_BUSY_TIMEOUT_MS = 5_000;
/** How often a waiting subscription checks `PRAGMA data_version` for other processes' commits. */
export const DEFAULT_POLL_INTERVAL_MS = 100;
/** A database that lives only as long as its connection. */
export const IN_MEMORY = ":memory:";

export const sqliteConfigSchema = z
  .object({
    backend: z.literal("sqlite"),
    /** The database file (relative paths resolve against the working directory), or ":memory:". */
    path: z.string().min(1),
    /**
     * "normal" (default): with WAL, a committed append survives an application crash; the last
     * commits may be lost on power loss or an OS crash. "full": fsync on every commit, durable
     * on power loss, several times slower per append.
     */
    synchronous: z.enum(["normal", "full"]).optional(),
    /** How long a write waits for another connection's lock, in ms (default 5000). */
    busyTimeoutMs: z.number().int().nonnegative().optional(),
    /** How often waiting subscriptions look for other processes' commits, in ms (default 100). */
    pollIntervalMs: z.number().int().positive().optional(),
    /** Largest append accepted, in encoded bytes (default 1 MiB). */
    maxAppendBytes: z.number().int().positive().optional(),
  })
  .strict();

/** The SQLite backend's config, as `connect()` validates it. */
export type SqliteConfig = z.infer<typeof sqliteConfigSchema>;

const OPTIONS = ["synchronous", "busyTimeoutMs", "pollIntervalMs", "maxAppendBytes"] as const;
const EXPECTED = 'expected "sqlite:./events.db", "sqlite:///abs/path.db" or "sqlite::memory:", with optional ?synchronous=normal|full&busyTimeoutMs=N&pollIntervalMs=N&maxAppendBytes=N';

/**
 * Reads `sqlite:<path>[?options]`. Not a WHATWG URL: `sqlite:./events.db` and `sqlite::memory:`
 * would be mangled by URL parsing, so the path is taken as written (`sqlite:///abs` is `/abs`).
 */
export function sqliteConfigFromConnectionString(text: string): SqliteConfig {
  const match = /^\s*sqlite:(.*?)\s*$/is.exec(text);
  if (!match) throw new ConfigurationError(`Not a SQLite URL: ${EXPECTED}`);
  const rest = match[1]!;
  const queryAt = rest.indexOf("?");
  const location = queryAt < 0 ? rest : rest.slice(0, queryAt);
  const path = pathOf(location);
  const config: SqliteConfig = { backend: "sqlite", path };
  if (queryAt >= 0) {
    for (const [key, value] of new URLSearchParams(rest.slice(queryAt + 1))) setOption(config, key, value);
  }
  return config;
}

function pathOf(location: string): string {
  if (location.startsWith("//")) {
    // sqlite:///abs/path.db: an empty host, then an absolute path. A host means a server, which SQLite has not.
    if (!location.startsWith("///")) throw new ConfigurationError(`A SQLite URL names a file, not a host: ${EXPECTED}`);
    return decodePath(location.slice(2));
  }
  if (location === "") throw new ConfigurationError(`A SQLite URL needs a file path: ${EXPECTED}`);
  return location === IN_MEMORY ? location : decodePath(location);
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    throw new ConfigurationError(`The SQLite path has a malformed %-escape: ${EXPECTED}`);
  }
}

function setOption(config: SqliteConfig, key: string, value: string): void {
  switch (key) {
    case "synchronous": {
      const mode = value.toLowerCase();
      if (mode !== "normal" && mode !== "full") throw new ConfigurationError(`sqlite: synchronous must be "normal" or "full", got "${value}"`);
      config.synchronous = mode;
      return;
    }
    case "busyTimeoutMs":
    case "pollIntervalMs":
    case "maxAppendBytes": {
      const n = Number(value);
      const min = key === "busyTimeoutMs" ? 0 : 1;
      if (value.trim() === "" || !Number.isSafeInteger(n) || n < min) {
        throw new ConfigurationError(`sqlite: ${key} must be an integer ≥ ${min}, got "${value}"`);
      }
      config[key] = n;
      return;
    }
    default:
      throw new ConfigurationError(`sqlite: unknown option "${key}" (expected: ${OPTIONS.join(", ")})`);
  }
}
