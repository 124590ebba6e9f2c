import type { BackendDescriptor } from "../../core/backend.js";
import { memoryConfigFromUrl, memoryConfigSchema, type MemoryConfig } from "./config.js";

/** The memory backend's descriptor for `connect()` (`memory:`). */
export const memoryBackend: BackendDescriptor<MemoryConfig> = {
  name: "memory",
  schemes: ["memory:"],
  configSchema: memoryConfigSchema,
  fromUrl: memoryConfigFromUrl,
  load: async () => (await import("./memory-event-stream.js")).createMemoryEventStream,
};
