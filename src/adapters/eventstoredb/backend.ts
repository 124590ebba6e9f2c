import type { BackendDescriptor } from "../../core/backend.js";
import { ConfigurationError } from "../../core/errors.js";
import {
  ESDB_SCHEMES,
  eventStoreDBConfigFromConnectionString,
  eventStoreDBConfigFromUrl,
  eventStoreDBConfigSchema,
  type EventStoreDBConfig,
} from "./config.js";

/** The EventStoreDB backend's descriptor for `connect()` (`esdb://`, `kurrentdb://`). */
export const eventStoreDBBackend: BackendDescriptor<EventStoreDBConfig> = {
  name: "eventstoredb",
  schemes: Object.keys(ESDB_SCHEMES),
  configSchema: eventStoreDBConfigSchema,
  fromUrl: (url) => validated(eventStoreDBConfigFromUrl(url)),
  fromConnectionString: (text) => validated(eventStoreDBConfigFromConnectionString(text)),
  peerDependencies: ["@eventstore/db-client"],
  load: async () => (await import("./eventstoredb-event-stream.js")).createEventStoreDBEventStreamFromConfig,
};

function validated(config: EventStoreDBConfig): EventStoreDBConfig {
  const parsed = eventStoreDBConfigSchema.safeParse(config);
  if (!parsed.success) {
    // zod messages name the field and the rule, never the value (the password stays out).
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(config)"}: ${i.message}`).join("; ");
    throw new ConfigurationError(`Invalid EventStoreDB URL: ${issues}`);
  }
  return parsed.data;
}
