export { createMemoryEventStream, MemoryEventStream, type MemoryEventStreamOptions } from "./memory-event-stream.js";
export { memoryBackend } from "./backend.js";
export type { MemoryConfig } from "./config.js";
