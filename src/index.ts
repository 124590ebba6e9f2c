export * from "./core/errors.js";
export * from "./core/event.js";
export * from "./core/event-stream.js";
export * from "./core/capabilities.js";
export { Position } from "./core/position.js";
export * from "./core/codec.js";
export { builtInBackends, connect, defineBackend, parseConnectTarget, type ConnectConfig, type ConnectOptions } from "./connect.js";
export type { BackendConfig } from "./core/backend-registry.js";
export type { BackendDescriptor } from "./core/backend.js";
export { createSubscription, type Feed, type FeedMessage, type FeedStart } from "./core/subscription.js";
export { prepareEvents, type AppendSizeRule, type PreparedEvent } from "./core/prepare.js";
export { redactUrl } from "./core/redact.js";
export * from "./core/domain/index.js";
export { EventStreamRuntime, type RuntimeOptions } from "./core/runtime.js";
export { createTracing, type Tracing, type TracingOptions, type TracerProviderLike } from "./core/observability/tracing.js";
export {
  consoleLogger,
  silentLogger,
  type LogAttributes,
  type LogCode,
  type Logger,
  type LogLevel,
  type LogRecord,
} from "./core/observability/logger.js";
export { SPAN_ID_KEY, TRACE_ID_KEY } from "./core/observability/trace-metadata.js";
export { SEMCONV_VERSION } from "./core/observability/semconv.js";
export type {
  AppendRequest,
  DeleteRequest,
  DriverDelivery,
  DriverPersistentConnection,
  EventStoreDriver,
  PersistentDriver,
  ReadAllRequest,
  ReadRequest,
  ResolvedPersistentTarget,
  ValidPersistentSettings,
} from "./core/driver.js";
export type { ResolvedTarget } from "./core/subscription-target.js";
