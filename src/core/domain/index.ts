export { foldEvents, type CommandOf, type Decider, type DomainEvent, type EventOf, type StateOf } from "./decider.js";
export { Aggregate, aggregateDecider, type AggregateClass, type AggregateCommand } from "./aggregate.js";
export {
  CommandHandler,
  createCommandHandler,
  type CommandHandlerOptions,
  type CommandOptions,
  type CommandResult,
} from "./command-handler.js";
export type { LoadedStream } from "./stream-loader.js";
export { DEFAULT_COMMAND_RETRY, retryDelayMs, type RetryPolicy } from "./retry-policy.js";
export { EventRegistry, type DecodeResult, type EventDataMap, type EventsOf, type EventUnion } from "./event-registry.js";
export { passThroughCodec, type EventCodec, type InvalidEventPolicy } from "./event-codec.js";
export { DEAD_LETTER_EVENT_TYPE, readDeadLetters, sendToDeadLetter, type DeadLetter } from "./dead-letter.js";
export {
  defaultSnapshotStreamName,
  SNAPSHOT_EVENT_TYPE,
  SnapshotStore,
  type LoadedSnapshot,
  type SnapshotData,
  type SnapshotPolicy,
} from "./snapshots.js";
export {
  CHECKPOINT_EVENT_TYPE,
  EventStreamCheckpointStore,
  MemoryCheckpointStore,
  type CheckpointStore,
  type EventStreamCheckpointStoreOptions,
} from "./checkpoint-store.js";
export {
  createProjection,
  defineProjection,
  Projection,
  type ProjectionDefinition,
  type ProjectionErrorPolicy,
  type ProjectionHandlers,
  type ProjectionOptions,
  type ProjectionStats,
  type ProjectionStatus,
} from "./projection.js";
export { deterministicUuid } from "./ids.js";
