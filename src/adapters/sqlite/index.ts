export { createSqliteEventStream, SqliteEventStream, type SqliteEventStreamOptions } from "./sqlite-event-stream.js";
export { sqliteBackend } from "./backend.js";
export { sqliteCapabilities } from "./capabilities.js";
export type { SqliteConfig } from "./config.js";
