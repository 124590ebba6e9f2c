import { ValidationError } from "../../core/errors.js";
import type { EnsignConnection } from "./connection.js";
import { TopicExistsError, TopicNotFoundError, grpcCode, GrpcStatus } from "./errors.js";
import { isUlidString, ulidFromString, ulidToString } from "./wire/ids.js";
import type { TopicCache } from "./topic-cache.js";
import { ServiceStatus, TopicModOperation, TopicState } from "./wire/enums.js";
import { fromTimestamp } from "./wire/codec.js";
import type {
  PageInfo,
  ProjectInfo,
  ServiceState,
  Topic,
  TopicExistsInfo,
  TopicInfo,
  TopicNamesPage,
  TopicsPage,
  TopicStatus,
} from "./wire/messages.js";

export const TOPIC_NAME = /^[a-zA-Z][a-zA-Z0-9._-]*$/;
export const MAX_TOPIC_NAME_LENGTH = 512;

/** The state of an Ensign topic. */
export type TopicStateName = keyof typeof TopicState;
const STATE_NAMES = new Map<number, TopicStateName>(
  Object.entries(TopicState).map(([name, value]) => [value, name as TopicStateName]),
);
const SERVICE_STATUS_NAMES = new Map<number, string>(Object.entries(ServiceStatus).map(([n, v]) => [v, n]));

/** An Ensign topic as the server describes it. */
export interface TopicSummary {
  /** 26-character ULID text. */
  readonly id: string;
  readonly name: string;
  readonly projectId: string;
  readonly readonly: boolean;
  readonly offset: bigint;
  readonly shards: number;
  readonly state: TopicStateName;
  readonly created: Date | undefined;
  readonly modified: Date | undefined;
}

export interface TopicsPageResult {
  readonly topics: TopicSummary[];
  /** Empty on the last page. */
  readonly nextPageToken: string;
}

export interface TopicStatistics {
  readonly topicId: string;
  readonly events: bigint;
  readonly duplicates: bigint;
  readonly dataSizeBytes: bigint;
}

/** Counts the Ensign server reports for a project. */
export interface ProjectStatistics {
  readonly projectId: string;
  readonly numTopics: bigint;
  readonly numReadonlyTopics: bigint;
  readonly events: bigint;
  readonly duplicates: bigint;
  readonly dataSizeBytes: bigint;
  readonly topics: TopicStatistics[];
}

/** The Ensign server's status. */
export interface ServerStatus {
  readonly status: string;
  readonly version: string;
  /** Milliseconds. */
  readonly uptimeMs: number;
}

/** An Ensign topic's name hash. */
export interface TopicNameHash {
  readonly topicId: string;
  readonly projectId: string;
  /** base64url murmur3-x64-128 of the name: Ensign's TopicNames RPC never returns names. */
  readonly nameHash: string;
}

export function assertTopicName(name: unknown): asserts name is string {
  if (typeof name !== "string" || name === "") throw new ValidationError("A topic name must be a non-empty string", "topic");
  if (name.length > MAX_TOPIC_NAME_LENGTH || !TOPIC_NAME.test(name)) {
    throw new ValidationError(
      `Invalid topic name "${name}": expected ^[a-zA-Z][a-zA-Z0-9._-]*$, at most ${MAX_TOPIC_NAME_LENGTH} characters`,
      "topic",
    );
  }
}

/** The topic RPCs, with the name → id cache kept up to date. */
export class TopicsApi {
  readonly #connection: EnsignConnection;
  readonly #cache: TopicCache;
  readonly #onCreated: (name: string, id: Uint8Array) => void;

  constructor(connection: EnsignConnection, cache: TopicCache, onCreated: (name: string, id: Uint8Array) => void = () => {}) {
    this.#connection = connection;
    this.#cache = cache;
    this.#onCreated = onCreated;
  }

  /** One page of the project's topics (page size 0 = server default 100; at most 5000). */
  async listPage(pageSize = 0, pageToken = ""): Promise<TopicsPageResult> {
    const page = await this.#connection.unary<TopicsPage>("ListTopics", { page_size: pageSize, next_page_token: pageToken } satisfies PageInfo);
    const topics = page.topics.map(toSummary);
    for (const topic of topics) this.#cache.set(topic.name, ulidFromString(topic.id));
    return { topics, nextPageToken: page.next_page_token };
  }

  /** Every topic, fetching page after page. */
  async *list(pageSize = 0): AsyncGenerator<TopicSummary> {
    let token = "";
    do {
      const page = await this.listPage(pageSize, token);
      yield* page.topics;
      token = page.nextPageToken;
    } while (token !== "");
  }

  async create(name: string): Promise<TopicSummary> {
    assertTopicName(name);
    let topic: Topic;
    try {
      topic = await this.#connection.unary<Topic>("CreateTopic", { name });
    } catch (error) {
      if (grpcCode((error as { cause?: unknown }).cause) === GrpcStatus.ALREADY_EXISTS) throw new TopicExistsError(name, { cause: error });
      throw error;
    }
    if (!topic || topic.id.length !== 16) throw new ValidationError(`CreateTopic("${name}") returned no topic id`, "topic");
    const id = Uint8Array.from(topic.id);
    this.#cache.set(name, id);
    this.#onCreated(name, id);
    return toSummary(topic);
  }

  /** The topic's id, creating the topic when it does not exist (a concurrent creator is fine). */
  async ensure(name: string): Promise<string> {
    assertTopicName(name);
    const cached = this.#cache.get(name);
    if (cached) return ulidToString(cached);
    if (await this.exists(name)) return this.id(name);
    try {
      return (await this.create(name)).id;
    } catch (error) {
      if (error instanceof TopicExistsError) return this.id(name);
      throw error;
    }
  }

  async exists(name: string): Promise<boolean> {
    assertTopicName(name);
    if (this.#cache.get(name)) return true;
    const reply = await this.#connection.unary<TopicExistsInfo>("TopicExists", { name });
    return reply.exists;
  }

  /** The id of a topic by name (cache, else paging through ListTopics); TopicNotFoundError when absent. */
  async id(name: string): Promise<string> {
    const id = await this.findId(name);
    if (!id) throw new TopicNotFoundError(name);
    return ulidToString(id);
  }

  /** As `id` but undefined when the topic does not exist. */
  async findId(name: string): Promise<Uint8Array | undefined> {
    assertTopicName(name);
    const cached = this.#cache.get(name);
    if (cached) return cached;
    for await (const topic of this.list(5000)) if (topic.name === name) return ulidFromString(topic.id);
    return undefined;
  }

  async retrieve(nameOrId: string): Promise<TopicSummary> {
    const id = await this.#resolve(nameOrId);
    try {
      return toSummary(await this.#connection.unary<Topic>("RetrieveTopic", { id }));
    } catch (error) {
      throw this.#notFound(error, nameOrId);
    }
  }

  /** Makes a topic read-only; returns its new state. */
  async archive(nameOrId: string): Promise<TopicStateName> {
    return this.#modify(nameOrId, TopicModOperation.ARCHIVE);
  }

  /** Deletes a topic and its events (asynchronously on the server); returns its new state (DELETING). */
  async destroy(nameOrId: string): Promise<TopicStateName> {
    const state = await this.#modify(nameOrId, TopicModOperation.DESTROY);
    this.#cache.delete(nameOrId);
    return state;
  }

  /** The raw TopicNames pages: ids with murmur3 name hashes (not names). */
  async *topicNames(pageSize = 0): AsyncGenerator<TopicNameHash> {
    let token = "";
    do {
      const page = await this.#connection.unary<TopicNamesPage>("TopicNames", { page_size: pageSize, next_page_token: token });
      for (const t of page.topic_names) yield { topicId: t.topic_id, projectId: t.project_id, nameHash: t.name };
      token = page.next_page_token;
    } while (token !== "");
  }

  /** Project statistics, optionally for some topics only (names or ULID strings). */
  async info(topics: readonly string[] = []): Promise<ProjectStatistics> {
    if (!Array.isArray(topics)) throw new ValidationError("info() takes an array of topic names or ids", "topics");
    const ids = await Promise.all(topics.map((t) => this.#resolve(t)));
    const info = await this.#connection.unary<ProjectInfo>("Info", { topics: ids });
    return {
      projectId: info.project_id.length === 16 ? ulidToString(info.project_id) : "",
      numTopics: BigInt(info.num_topics),
      numReadonlyTopics: BigInt(info.num_readonly_topics),
      events: BigInt(info.events),
      duplicates: BigInt(info.duplicates),
      dataSizeBytes: BigInt(info.data_size_bytes),
      topics: info.topics.map((t: TopicInfo) => ({
        topicId: t.topic_id.length === 16 ? ulidToString(t.topic_id) : "",
        events: BigInt(t.events),
        duplicates: BigInt(t.duplicates),
        dataSizeBytes: BigInt(t.data_size_bytes),
      })),
    };
  }

  /** Server health; needs no credentials. */
  async status(signal?: AbortSignal): Promise<ServerStatus> {
    const state = await this.#connection.unary<ServiceState>("Status", { attempts: 0 }, signal);
    const uptime = state.uptime ? Number(state.uptime.seconds) * 1000 + Math.floor(state.uptime.nanos / 1e6) : 0;
    return { status: SERVICE_STATUS_NAMES.get(state.status) ?? String(state.status), version: state.version, uptimeMs: uptime };
  }

  async #modify(nameOrId: string, operation: number): Promise<TopicStateName> {
    const id = ulidToString(await this.#resolve(nameOrId));
    try {
      const status = await this.#connection.unary<TopicStatus>("DeleteTopic", { id, operation });
      return STATE_NAMES.get(status.state) ?? "UNDEFINED";
    } catch (error) {
      throw this.#notFound(error, nameOrId);
    }
  }

  async #resolve(nameOrId: string): Promise<Uint8Array> {
    if (typeof nameOrId !== "string" || nameOrId === "") throw new ValidationError("A topic name or id must be a non-empty string", "topic");
    if (isUlidString(nameOrId)) return ulidFromString(nameOrId);
    return ulidFromString(await this.id(nameOrId));
  }

  #notFound(error: unknown, topic: string): unknown {
    return grpcCode((error as { cause?: unknown }).cause) === GrpcStatus.NOT_FOUND ? new TopicNotFoundError(topic, { cause: error }) : error;
  }
}

function toSummary(topic: Topic): TopicSummary {
  return {
    id: ulidToString(topic.id),
    name: topic.name,
    projectId: topic.project_id.length === 16 ? ulidToString(topic.project_id) : "",
    readonly: topic.readonly,
    offset: BigInt(topic.offset),
    shards: topic.shards,
    state: STATE_NAMES.get(topic.status) ?? "UNDEFINED",
    created: topic.created ? fromTimestamp(topic.created) : undefined,
    modified: topic.modified ? fromTimestamp(topic.modified) : undefined,
  };
}
