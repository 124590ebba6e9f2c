/** Enum values of the Ensign protocol (numbers are the wire contract; see proto/). */

/** ensign.v1beta1.Nack.Code */
export const NackCode = {
  UNKNOWN: 0,
  MAX_EVENT_SIZE_EXCEEDED: 1,
  TOPIC_UNKNOWN: 2,
  TOPIC_ARCHIVED: 3,
  TOPIC_DELETED: 4,
  PERMISSION_DENIED: 5,
  CONSENSUS_FAILURE: 6,
  SHARDING_FAILURE: 7,
  REDIRECT: 8,
  INTERNAL: 9,
  UNPROCESSED: 100,
  TIMEOUT: 101,
  UNHANDLED_MIMETYPE: 102,
  UNKNOWN_TYPE: 103,
  DELIVER_AGAIN_ANY: 104,
  DELIVER_AGAIN_NOT_ME: 105,
} as const;
export type NackCode = (typeof NackCode)[keyof typeof NackCode];

/** ensign.v1beta1.TopicState */
export const TopicState = {
  UNDEFINED: 0,
  READY: 1,
  READONLY: 2,
  DELETING: 3,
  PENDING: 4,
  ALLOCATING: 5,
  REPAIRING: 6,
} as const;
export type TopicState = (typeof TopicState)[keyof typeof TopicState];

/** ensign.v1beta1.TopicMod.Operation */
export const TopicModOperation = { NOOP: 0, ARCHIVE: 1, DESTROY: 2 } as const;
export type TopicModOperation = (typeof TopicModOperation)[keyof typeof TopicModOperation];

/** ensign.v1beta1.ServiceState.Status */
export const ServiceStatus = {
  UNKNOWN: 0,
  HEALTHY: 1,
  UNHEALTHY: 2,
  DANGER: 3,
  OFFLINE: 4,
  MAINTENANCE: 5,
} as const;
export type ServiceStatus = (typeof ServiceStatus)[keyof typeof ServiceStatus];

/** ensign.v1beta1.Deduplication.Strategy */
export const DeduplicationStrategy = {
  UNKNOWN: 0,
  NONE: 1,
  STRICT: 2,
  DATAGRAM: 3,
  KEY_GROUPED: 4,
  UNIQUE_KEY: 5,
  UNIQUE_FIELD: 6,
} as const;

/** ensign.v1beta1.Deduplication.OffsetPosition */
export const DeduplicationOffset = { OFFSET_UNKNOWN: 0, OFFSET_EARLIEST: 1, OFFSET_LATEST: 2 } as const;

/** ensign.v1beta1.ShardingStrategy */
export const ShardingStrategy = {
  UNKNOWN: 0,
  NO_SHARDING: 1,
  CONSISTENT_KEY_HASH: 2,
  RANDOM: 3,
  PUBLISHER_ORDERING: 4,
} as const;

/** grpc.health.v1.HealthCheckResponse.ServingStatus */
export const HealthServingStatus = { UNKNOWN: 0, SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3 } as const;
