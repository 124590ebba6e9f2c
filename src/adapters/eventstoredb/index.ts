export {
  createEventStoreDBEventStream,
  EventStoreDBEventStream,
  type EventStoreDBEventStreamOptions,
} from "./eventstoredb-event-stream.js";
export { eventStoreDBBackend } from "./backend.js";
export {
  eventStoreDBConfigFromUrl,
  eventStoreDBConfigSchema,
  DEFAULT_MAX_APPEND_BYTES,
  type EventStoreDBConfig,
} from "./config.js";
export { ESDB_BACKEND } from "./position-mapping.js";
export {
  CONTENT_TYPE_KEY,
  SCHEMA_VERSION_KEY,
  CORRELATION_ID_KEY,
  CAUSATION_ID_KEY,
  RAW_METADATA_KEY,
} from "./event-mapping.js";
