export { createPostgresEventStream, PostgresEventStream, type PostgresEventStreamOptions } from "./postgres-event-stream.js";
export { postgresBackend } from "./backend.js";
export { postgresCapabilities } from "./capabilities.js";
export type { PostgresConfig } from "./config.js";
