import type { BackendDescriptor } from "../../core/backend.js";
import { sqliteConfigFromConnectionString, sqliteConfigSchema, type SqliteConfig } from "./config.js";

/** The SQLite backend's descriptor for `connect()` (`sqlite:`). */
export const sqliteBackend: BackendDescriptor<SqliteConfig> = {
  name: "sqlite",
  schemes: ["sqlite:"],
  configSchema: sqliteConfigSchema,
  fromUrl: (url) => sqliteConfigFromConnectionString(url.href),
  // `sqlite:./events.db` and `sqlite::memory:` are not WHATWG URLs worth parsing: the path is read as written.
  fromConnectionString: sqliteConfigFromConnectionString,
  peerDependencies: ["better-sqlite3"],
  load: async () => (await import("./sqlite-event-stream.js")).createSqliteEventStream,
};

