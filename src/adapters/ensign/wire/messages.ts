/**
 * TypeScript shapes of the Ensign wire messages, as the wire codec (./codec.ts) produces and
 * accepts them. Field names are the proto names (snake_case, `keepCase`), so they read the same as
 * the .proto files and the protocol sheet.
 *
 * Decoded representation (see DECODE_OPTIONS in ./codec.ts):
 * - `bytes` → `Uint8Array` (a Node `Buffer` at runtime), empty when unset;
 * - 64-bit integers (`uint64`, `int64`, `sint64`, Timestamp/Duration `seconds`) → decimal `string`,
 *   exact for the full range (pass a string or a safe integer `number` when encoding);
 * - enums → their number (the MIME enum has aliases, so names would be ambiguous);
 * - scalars, repeated and map fields are always present (proto3 defaults);
 * - unset sub-messages are `null`; a oneof exposes the name of its set member in `embed`
 *   (or `value` for Parameter), unset members are absent.
 *
 * For encoding, every field may be omitted: see {@link WireInput}.
 */

/** A 64-bit integer as a decimal string (exact), as the codec decodes it. */
export type WireLong = string;

/** Input form of a message: every field optional, 64-bit integers as string or safe number. */
export type WireInput<T> = T extends Uint8Array
  ? Uint8Array
  : T extends string
    ? T | number
    : T extends readonly (infer E)[]
      ? readonly WireInput<E>[]
      : T extends object
        ? { [K in keyof T]?: WireInput<T[K]> | null }
        : T;

export interface Timestamp {
  seconds: WireLong;
  nanos: number;
}

export interface Duration {
  seconds: WireLong;
  nanos: number;
}

// ---- mimetype.v1beta1 / region.v1beta1 -------------------------------------------------------

/** Numeric value of mimetype.v1beta1.MIME (see MIME in ./enums.ts). */
export type MimeValue = number;
/** Numeric value of region.v1beta1.Region. */
export type RegionValue = number;

// ---- events ---------------------------------------------------------------------------------

export interface EventWrapper {
  /** 10-byte RLID minted by the server. */
  id: Uint8Array;
  /** 16-byte topic ULID. */
  topic_id: Uint8Array;
  offset: WireLong;
  epoch: WireLong;
  region: RegionValue;
  publisher: Publisher | null;
  key: Uint8Array;
  shard: WireLong;
  /** A serialized {@link Event} (use encodeEvent / decodeEvent). */
  event: Uint8Array;
  encryption: Encryption | null;
  compression: Compression | null;
  is_duplicate: boolean;
  duplicate_id: Uint8Array;
  committed: Timestamp | null;
  /** Publisher-chosen correlation id; the server echoes it in Ack.id / Nack.id. */
  local_id: Uint8Array;
}

export interface Event {
  data: Uint8Array;
  metadata: Record<string, string>;
  mimetype: MimeValue;
  type: Type | null;
  created: Timestamp | null;
}

export interface Type {
  name: string;
  major_version: number;
  minor_version: number;
  patch_version: number;
}

export interface Publisher {
  publisher_id: string;
  ipaddr: string;
  client_id: string;
  user_agent: string;
}

export interface Encryption {
  public_key_id: string;
  encryption_key: Uint8Array;
  hmac_secret: Uint8Array;
  signature: Uint8Array;
  sealing_algorithm: number;
  encryption_algorithm: number;
  signature_algorithm: number;
}

export interface Compression {
  algorithm: number;
  level: WireLong;
}

// ---- stream envelopes -----------------------------------------------------------------------

export interface PublisherRequest {
  embed?: "event" | "open_stream";
  event?: EventWrapper;
  open_stream?: OpenStream;
}

export interface PublisherReply {
  embed?: "ack" | "nack" | "ready" | "close_stream";
  ack?: Ack;
  nack?: Nack;
  ready?: StreamReady;
  close_stream?: CloseStream;
}

export interface SubscribeRequest {
  embed?: "ack" | "nack" | "subscription";
  ack?: Ack;
  nack?: Nack;
  subscription?: Subscription;
}

export interface SubscribeReply {
  embed?: "event" | "ready" | "close_stream";
  event?: EventWrapper;
  ready?: StreamReady;
  close_stream?: CloseStream;
}

export interface Ack {
  id: Uint8Array;
  committed: Timestamp | null;
}

export interface Nack {
  id: Uint8Array;
  /** A NackCode value. */
  code: number;
  error: string;
}

export interface OpenStream {
  client_id: string;
  topics: string[];
}

export interface CloseStream {
  events: WireLong;
  topics: WireLong;
  acks: WireLong;
  nacks: WireLong;
}

export interface StreamReady {
  client_id: string;
  server_id: string;
  /** Topic name → 16-byte topic ULID. */
  topics: Record<string, Uint8Array>;
}

export interface Subscription {
  client_id: string;
  topics: string[];
  query: Query | null;
  group: ConsumerGroup | null;
}

export interface ConsumerGroup {
  id: Uint8Array;
  project_id: Uint8Array;
  name: string;
  delivery: number;
  delivery_timeout: Duration | null;
  topic_offsets: Record<string, WireLong>;
  consumers: Uint8Array[];
  created: Timestamp | null;
  modified: Timestamp | null;
}

// ---- EnSQL ----------------------------------------------------------------------------------

export interface Query {
  query: string;
  params: Parameter[];
  include_duplicates: boolean;
}

export interface Parameter {
  value?: "i" | "d" | "b" | "y" | "s";
  i?: WireLong;
  d?: number;
  b?: boolean;
  y?: Uint8Array;
  s?: string;
  name: string;
}

/** Empty on the wire at the server's current version. */
export type QueryExplanation = Record<string, never>;

// ---- topics ---------------------------------------------------------------------------------

export interface Topic {
  id: Uint8Array;
  project_id: Uint8Array;
  name: string;
  readonly: boolean;
  offset: WireLong;
  shards: number;
  /** A TopicState value. */
  status: number;
  deduplication: Deduplication | null;
  placements: Placement[];
  types: Type[];
  created: Timestamp | null;
  modified: Timestamp | null;
}

export interface TopicName {
  topic_id: string;
  project_id: string;
  name: string;
}

export interface TopicInfo {
  topic_id: Uint8Array;
  project_id: Uint8Array;
  event_offset_id: Uint8Array;
  events: WireLong;
  duplicates: WireLong;
  data_size_bytes: WireLong;
  types: EventTypeInfo[];
  modified: Timestamp | null;
}

export interface EventTypeInfo {
  type: Type | null;
  mimetype: MimeValue;
  events: WireLong;
  duplicates: WireLong;
  data_size_bytes: WireLong;
  modified: Timestamp | null;
}

export interface TopicsPage {
  topics: Topic[];
  next_page_token: string;
}

export interface TopicNamesPage {
  topic_names: TopicName[];
  next_page_token: string;
}

export interface TopicMod {
  /** Topic ULID as 26-char text. */
  id: string;
  /** A TopicModOperation value. */
  operation: number;
}

export interface TopicStatus {
  id: string;
  /** A TopicState value. */
  state: number;
}

export interface TopicExistsInfo {
  query: string;
  exists: boolean;
}

export interface TopicPolicy {
  id: string;
  deduplication_policy: Deduplication | null;
  sharding_strategy: number;
}

export interface Deduplication {
  strategy: number;
  offset: number;
  keys: string[];
  fields: string[];
  overwrite_duplicate: boolean;
}

export interface Placement {
  epoch: WireLong;
  sharding: number;
  regions: RegionValue[];
  nodes: Node[];
}

export interface Node {
  id: string;
  hostname: string;
  quorum: WireLong;
  shard: WireLong;
  region: RegionValue;
  url: string;
}

// ---- info / status / paging -----------------------------------------------------------------

export interface InfoRequest {
  /** 16-byte topic ULIDs; empty = all topics of the project. */
  topics: Uint8Array[];
}

export interface ProjectInfo {
  project_id: Uint8Array;
  num_topics: WireLong;
  num_readonly_topics: WireLong;
  events: WireLong;
  duplicates: WireLong;
  data_size_bytes: WireLong;
  topics: TopicInfo[];
}

export interface HealthCheck {
  attempts: number;
  last_checked_at: Timestamp | null;
}

export interface ServiceState {
  /** A ServiceStatus value. */
  status: number;
  version: string;
  uptime: Duration | null;
  not_before: Timestamp | null;
  not_after: Timestamp | null;
}

export interface PageInfo {
  page_size: number;
  next_page_token: string;
}

// ---- grpc.health.v1 -------------------------------------------------------------------------

export interface HealthCheckRequest {
  service: string;
}

export interface HealthCheckResponse {
  /** A HealthServingStatus value. */
  status: number;
}
