import type { BackendDescriptor } from "../../core/backend.js";
import { ensignConfigFromUrl, ensignConfigSchema, type EnsignConfig } from "./config.js";

/** The Ensign backend's descriptor for `connect()` (`ensign://`). */
export const ensignBackend: BackendDescriptor<EnsignConfig> = {
  name: "ensign",
  schemes: ["ensign:"],
  configSchema: ensignConfigSchema as unknown as BackendDescriptor<EnsignConfig>["configSchema"],
  fromUrl: ensignConfigFromUrl,
  peerDependencies: ["@grpc/grpc-js", "protobufjs"],
  load: async () => (await import("./ensign-event-stream.js")).createEnsignEventStream,
};
