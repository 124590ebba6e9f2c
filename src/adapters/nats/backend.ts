import type { BackendDescriptor } from "../../core/backend.js";
import { NATS_SCHEMES, natsConfigFromUrl, natsConfigSchema, type NatsConfig } from "./config.js";

/** The NATS JetStream backend's descriptor for `connect()` (`nats://`). */
export const natsBackend: BackendDescriptor<NatsConfig> = {
  name: "nats",
  schemes: NATS_SCHEMES,
  configSchema: natsConfigSchema,
  fromUrl: natsConfigFromUrl,
  // A cluster is a comma-separated host list, which a WHATWG URL cannot hold.
  fromConnectionString: natsConfigFromUrl,
  peerDependencies: ["@nats-io/transport-node", "@nats-io/jetstream"],
  load: async () => (await import("./nats-event-stream.js")).createNatsEventStreamFromConfig,
};
