import type { BackendDescriptor } from "../../core/backend.js";
import { ConfigurationError } from "../../core/errors.js";
import { ESDB_SCHEMES, eventStoreDBConfigFromUrl, eventStoreDBConfigSchema, type EventStoreDBConfig } from "./config.js";

export const eventStoreDBBackend: BackendDescriptor<EventStoreDBConfig> = {
  name: "eventstoredb",
  schemes: Object.keys(ESDB_SCHEMES),
  configSchema: eventStoreDBConfigSchema,
  fromUrl(url) {
    const parsed = eventStoreDBConfigSchema.safeParse(eventStoreDBConfigFromUrl(url));
    if (!parsed.success) {
      // zod messages name the field and the rule, never the value (the password stays out).
      const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(config)"}: ${i.message}`).join("; ");
      throw new ConfigurationError(`Invalid EventStoreDB URL: ${issues}`);
    }
    return parsed.data;
  },
  load: async () => (await import("./eventstoredb-event-stream.js")).createEventStoreDBEventStreamFromConfig,
};
