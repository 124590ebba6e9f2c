import Database from "better-sqlite3";
import { ConfigurationError } from "../../core/errors.js";
import type { SqliteDatabase } from "./database.js";
import { mapSqliteError } from "./errors.js";

const REBUILD = "npm rebuild better-sqlite3";
const APPROVE = "npm install-scripts approve better-sqlite3";

/**
 * Opens a better-sqlite3 connection, turning its native-module failures (never built, or built
 * for another Node ABI) into ConfigurationErrors that name this Node and what to run. The module
 * loads on the first `new Database()`, so this is where those failures surface.
 */
export function openDatabase(path: string, busyTimeoutMs: number): SqliteDatabase {
  try {
    // SqliteDatabase is the subset of Database this adapter uses; better-sqlite3 types prepare()
    // with a conditional type that no plain interface matches structurally, hence the cast.
    return new Database(path, { timeout: busyTimeoutMs }) as unknown as SqliteDatabase;
  } catch (error) {
    throw nativeModuleError(error) ?? openError(error, path);
  }
}

function openError(error: unknown, path: string): unknown {
  if (error instanceof TypeError && /directory does not exist/.test(error.message)) {
    return new ConfigurationError(`Cannot open the SQLite database "${path}": its directory does not exist`, { cause: error });
  }
  return mapSqliteError(error, `open "${path}"`);
}

/** The ConfigurationError for a native module that is missing or built for another Node, else undefined. */
export function nativeModuleError(error: unknown): ConfigurationError | undefined {
  if (!(error instanceof Error)) return undefined;
  const node = `Node.js ${process.version} (NODE_MODULE_VERSION ${process.versions.modules})`;
  if (/NODE_MODULE_VERSION/.test(error.message)) {
    const built = /compiled against a different Node\.js version using\s+NODE_MODULE_VERSION (\d+)/.exec(error.message)?.[1];
    return new ConfigurationError(
      `better-sqlite3's native module was built for another Node.js version${built ? ` (NODE_MODULE_VERSION ${built})` : ""}, ` +
        `and this is ${node}. Rebuild it for this Node: ${REBUILD} (better-sqlite3 12.x runs on Node 20 and later; 13.x needs Node 22)`,
      { cause: error },
    );
  }
  if (/Could not locate the bindings file|better_sqlite3\.node/.test(error.message)) {
    return new ConfigurationError(
      `better-sqlite3 is installed but its native module was never built for ${node}: its install script did not run ` +
        `(npm 11 blocks dependency install scripts unless allowed). Run: ${APPROVE} && ${REBUILD}`,
      { cause: error },
    );
  }
  return undefined;
}
