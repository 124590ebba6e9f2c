import type { BackendDescriptor } from "../../core/backend.js";
import { POSTGRES_SCHEMES, postgresConfigFromUrl, postgresConfigSchema, type PostgresConfig } from "./config.js";

/** The PostgreSQL backend's descriptor for `connect()` (`postgres://`). */
export const postgresBackend: BackendDescriptor<PostgresConfig> = {
  name: "postgres",
  schemes: POSTGRES_SCHEMES,
  configSchema: postgresConfigSchema,
  fromUrl: postgresConfigFromUrl,
  peerDependencies: ["pg"],
  load: async () => (await import("./postgres-event-stream.js")).createPostgresEventStreamFromConfig,
};
