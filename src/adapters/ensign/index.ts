/**
 * switchyard-events/ensign: the Ensign adapter (EventStream over Ensign) and an Ensign client with
 * pyensign's surface. Needs the optional peers @grpc/grpc-js and protobufjs.
 */
export { createEnsignEventStream, ensignCapabilities, EnsignEventStream, type EnsignEventStreamOptions } from "./ensign-event-stream.js";
export { ensignBackend } from "./backend.js";
export { ensignConfigSchema, ensignConfigFromUrl, type EnsignConfig } from "./config.js";
export { Ensign, DEFAULT_RECONNECT, type EnsignOptions, type EnsignSubscription, type PublishOptions } from "./ensign-client.js";
export { EnsignEvent, type EventInit, type EventState, type FromObjectOptions } from "./ensign-event.js";
export { AuthClient, type AuthClientOptions } from "./auth-client.js";
export { loadCredentialsFile, resolveCredentials, type ClientCredentials, type ConnectionSettings } from "./credentials.js";
export { QueryCursor, type QueryOptions, type QueryParamValue } from "./query-cursor.js";
export type { PublishAck } from "./publisher.js";
export { TopicsApi, type TopicSummary, type TopicStateName, type ProjectStatistics, type ServerStatus, type TopicNameHash } from "./topics.js";
export { TopicCache } from "./topic-cache.js";
export { MIME, MIME_STRINGS, mimeToString, parseMime, tryParseMime, type MimeName, type MimeValue } from "./mime.js";
export { parseSemver, parseEventType, formatEventType, semverString, type EventTypeVersion } from "./event-type.js";
export { categoryOf, topicForCategory, isQueryableTopicName } from "./topic-mapping.js";
export { META_CONTENT_TYPE, META_ID, META_METADATA, META_STREAM } from "./event-mapping.js";
export {
  EventRejectedError,
  EventTooLargeError,
  InvalidQueryError,
  NoRowsError,
  PublishDeniedError,
  PublishFailedError,
  PublishTooLargeError,
  TopicExistsError,
  TopicNotFoundError,
  TopicUnavailableError,
  isNackError,
  type NackError,
} from "./errors.js";
export { NackCode, TopicState } from "./wire/enums.js";
export { MAX_EVENT_SIZE, MAX_PUBLISHABLE_EVENT_SIZE, SERVER_MAX_RECEIVE_BYTES } from "./wire/limits.js";
export { Publisher, Subscriber, publishes, publishesEach, subscribes, withEnsign, type PublishesOptions, type SubscriberRun } from "./pyensign.js";
