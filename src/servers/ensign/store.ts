/**
 * The server's storage: topics per project and each topic's event log, kept in memory and
 * surviving stop()/restart() of the servers (they only hold a reference to it); with a
 * persistence, also on disk, and loaded from it.
 */
import {
  makeRlid,
  newUlid,
  topicNameHash,
  ulidToString,
  type Deduplication,
  type EventWrapper,
  type Publisher,
  type Timestamp,
  type Topic,
} from "../../adapters/ensign/wire/index.js";
import type { EnsignPersistence } from "./persistence.js";

export interface StoredTopic {
  /** The Topic message as stored (id, project_id, name, status, deduplication, …). */
  topic: Topic;
  idText: string;
  nameHash: string;
  /** Events in log order (RLID order). Stored without local_id and without committed. */
  events: EventWrapper[];
}

export interface IncomingEvent {
  wrapper: EventWrapper;
  publisher: Publisher;
}

/** A name/id lookup over a set of topics, like the server's NameGroup. */
export class TopicGroup {
  readonly byId = new Map<string, StoredTopic>();

  add(topic: StoredTopic): void {
    this.byId.set(topic.idText, topic);
  }

  get size(): number {
    return this.byId.size;
  }

  /** Resolves a topic name, ULID string or base64url name hash. */
  lookup(ref: string): StoredTopic | undefined {
    const byId = this.byId.get(ref.toUpperCase());
    if (byId) return byId;
    for (const topic of this.byId.values()) {
      if (topic.topic.name === ref || topic.nameHash === ref) return topic;
    }
    return undefined;
  }

  /** Subset matching the given references; unknown references are dropped silently. */
  filter(refs: readonly string[]): TopicGroup {
    const out = new TopicGroup();
    for (const ref of refs) {
      const topic = this.lookup(ref);
      if (topic) out.add(topic);
    }
    return out;
  }

  hasId(idText: string): boolean {
    return this.byId.has(idText);
  }

  /** name -> 16-byte id, as sent in StreamReady. */
  topicMap(): Record<string, Uint8Array> {
    const map: Record<string, Uint8Array> = {};
    for (const topic of this.byId.values()) map[topic.topic.name] = topic.topic.id;
    return map;
  }
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

export class EnsignStore {
  /** projectId (ULID text) -> topicId (ULID text) -> topic. */
  private readonly projects = new Map<string, Map<string, StoredTopic>>();
  private sequence = 0;
  private lastMs = 0;

  constructor(private readonly persistence?: EnsignPersistence) {
    for (const saved of persistence?.load() ?? []) {
      const stored: StoredTopic = {
        topic: saved.topic,
        idText: ulidToString(saved.topic.id),
        nameHash: topicNameHash(saved.topic.name),
        events: saved.events,
      };
      this.project(saved.projectId).set(stored.idText, stored);
      for (const event of saved.events) this.noteEventId(Buffer.from(event.id));
    }
  }

  /** Keeps new ids after every loaded one (48-bit ms, then the 32-bit sequence). */
  private noteEventId(id: Buffer): void {
    const ms = id.readUIntBE(0, 6);
    const sequence = id.readUInt32BE(6);
    if (ms > this.lastMs) this.lastMs = ms;
    if (sequence > this.sequence) this.sequence = sequence;
  }

  private saveTopics(): void {
    if (this.persistence === undefined) return;
    const topics: Array<{ projectId: string; topic: Topic }> = [];
    for (const [projectId, stored] of this.projects) for (const topic of stored.values()) topics.push({ projectId, topic: topic.topic });
    this.persistence.saveTopics(topics);
  }

  /** Replaces a topic's message (archive, policy, status) and saves the topic list. */
  updateTopic(stored: StoredTopic, topic: Topic): void {
    stored.topic = topic;
    this.saveTopics();
  }

  /** Replaces a topic's events (a rehash marks or restores duplicates) and saves them. */
  replaceEvents(stored: StoredTopic, events: EventWrapper[]): void {
    stored.events = events;
    this.persistence?.rewriteEvents(stored.topic, events);
  }

  /** Releases the data files (the store stays readable in memory). */
  close(): void {
    this.persistence?.close();
  }

  private project(projectId: string): Map<string, StoredTopic> {
    let topics = this.projects.get(projectId);
    if (!topics) {
      topics = new Map();
      this.projects.set(projectId, topics);
    }
    return topics;
  }

  /** Topics of a project in key order (topic ULID bytes). */
  listTopics(projectId: string): StoredTopic[] {
    return [...this.project(projectId).values()].sort((a, b) => compareBytes(a.topic.id, b.topic.id));
  }

  /** Topic name index of a project in key order (name hash bytes). */
  listTopicNames(projectId: string): StoredTopic[] {
    return [...this.project(projectId).values()].sort((a, b) =>
      compareBytes(Buffer.from(a.nameHash, "base64url"), Buffer.from(b.nameHash, "base64url")),
    );
  }

  /** All topics of the project: the allowed set a stream snapshots when it opens. */
  allowedTopics(projectId: string): TopicGroup {
    const group = new TopicGroup();
    for (const topic of this.project(projectId).values()) group.add(topic);
    return group;
  }

  findByName(projectId: string, name: string): StoredTopic | undefined {
    for (const topic of this.project(projectId).values()) if (topic.topic.name === name) return topic;
    return undefined;
  }

  findById(idText: string): { projectId: string; topic: StoredTopic } | undefined {
    for (const [projectId, topics] of this.projects) {
      const topic = topics.get(idText);
      if (topic) return { projectId, topic };
    }
    return undefined;
  }

  /** Stores a validated topic; the caller checked name rules. Returns undefined on a duplicate name. */
  createTopic(projectId: string, input: Topic, now: Timestamp): StoredTopic | undefined {
    if (this.findByName(projectId, input.name)) return undefined;
    const id = input.id.length > 0 ? Buffer.from(input.id) : newUlid();
    const topic: Topic = { ...input, id, created: now, modified: now };
    const stored: StoredTopic = { topic, idText: ulidToString(id), nameHash: topicNameHash(input.name), events: [] };
    this.project(projectId).set(stored.idText, stored);
    this.saveTopics();
    return stored;
  }

  deleteTopic(projectId: string, idText: string): void {
    const stored = this.project(projectId).get(idText);
    if (stored === undefined) return;
    this.project(projectId).delete(idText);
    this.saveTopics();
    this.persistence?.removeTopic(stored.topic);
  }

  /** Next event id: 48-bit ms + one global 32-bit sequence (as the broker does). */
  nextEventId(nowMs: number): Buffer {
    this.lastMs = Math.max(this.lastMs, nowMs);
    this.sequence = (this.sequence + 1) >>> 0;
    return makeRlid(this.lastMs, this.sequence);
  }

  /** Appends an event (its id already minted) to its topic's log. */
  append(topic: StoredTopic, event: EventWrapper): void {
    this.persistence?.appendEvent(topic.topic, event);
    topic.events.push(event);
  }

  /** Total number of stored events over every project (test hook). */
  eventCount(): number {
    let count = 0;
    for (const topics of this.projects.values()) for (const topic of topics.values()) count += topic.events.length;
    return count;
  }
}

/** Deduplication policy normalisation (UNKNOWN -> NONE, OFFSET_UNKNOWN -> EARLIEST, …). */
export function normalizeDeduplication(policy: Deduplication | null): Deduplication {
  const strategy = policy?.strategy ? policy.strategy : 1;
  const offset = policy?.offset ? policy.offset : 1;
  const usesKeys = strategy === 4 || strategy === 5;
  const usesFields = strategy === 6;
  const clean = (values: string[] | undefined) => [...new Set(values ?? [])].sort();
  return {
    strategy,
    offset,
    keys: usesKeys ? clean(policy?.keys) : [],
    fields: usesFields ? clean(policy?.fields) : [],
    overwrite_duplicate: policy?.overwrite_duplicate ?? false,
  };
}
