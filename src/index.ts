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
