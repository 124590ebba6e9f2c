export { createNatsEventStream, NatsEventStream, type NatsEventStreamOptions } from "./nats-event-stream.js";
export { natsBackend } from "./backend.js";
export { natsCapabilities } from "./capabilities.js";
export type { NatsConfig } from "./config.js";
