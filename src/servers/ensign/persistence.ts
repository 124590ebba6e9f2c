// The Ensign server's data on disk (--data-dir): the topic list as one JSON file rewritten
// atomically on every topic change, and each topic's events as an append-only JSON-lines file
// (one fsync'd line per committed event; rewritten whole only when a policy rehashes the topic).
// Message fields are plain JSON except bytes, which are written as { "$bytes": base64 }.
import { mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { EventWrapper, Topic } from "../../adapters/ensign/wire/index.js";
import { readJson, writeJsonAtomically } from "../shared/atomic-file.js";
import { JsonLinesFile } from "../shared/json-lines.js";

export interface PersistedTopic {
  readonly projectId: string;
  readonly topic: Topic;
  readonly events: EventWrapper[];
}

/** The server's identity kept with its data, so API keys and the project survive a restart. */
export interface PersistedIdentity {
  readonly projectId: string;
  readonly clients: ReadonlyArray<{ clientId: string; clientSecret: string; projectId: string; permissions: string[] }>;
}

export class EnsignPersistence {
  readonly #directory: string;
  readonly #eventFiles = new Map<string, JsonLinesFile>();

  constructor(directory: string) {
    this.#directory = directory;
    mkdirSync(join(directory, "ensign-events"), { recursive: true });
  }

  readIdentity(): PersistedIdentity | undefined {
    return readJson(join(this.#directory, "ensign-server.json")) as PersistedIdentity | undefined;
  }

  writeIdentity(identity: PersistedIdentity): void {
    writeJsonAtomically(join(this.#directory, "ensign-server.json"), identity);
  }

  /** Every stored topic with its events; opens the event files for appending. */
  load(): PersistedTopic[] {
    const saved = (readJson(this.#topicsPath()) ?? []) as Array<{ projectId: string; topic: unknown }>;
    const topics = saved.map(({ projectId, topic }) => {
      const decoded = revive(topic) as Topic;
      const { file, lines } = JsonLinesFile.open(this.#eventsPath(idText(decoded)));
      this.#eventFiles.set(idText(decoded), file);
      return { projectId, topic: decoded, events: lines.map((line) => revive(line) as EventWrapper) };
    });
    this.#removeOrphans(new Set(topics.map(({ topic }) => `${idText(topic)}.jsonl`)));
    return topics;
  }

  saveTopics(topics: ReadonlyArray<{ projectId: string; topic: Topic }>): void {
    writeJsonAtomically(
      this.#topicsPath(),
      topics.map(({ projectId, topic }) => ({ projectId, topic: toJson(topic) })),
    );
  }

  appendEvent(topic: Topic, event: EventWrapper): void {
    this.#fileOf(topic).append([toJson(event)]);
  }

  rewriteEvents(topic: Topic, events: readonly EventWrapper[]): void {
    const id = idText(topic);
    this.#eventFiles.get(id)?.close();
    this.#eventFiles.delete(id);
    const temporary = `${this.#eventsPath(id)}.tmp`;
    rmSync(temporary, { force: true });
    const { file } = JsonLinesFile.open(temporary);
    file.append(events.map(toJson));
    file.close();
    renameSync(temporary, this.#eventsPath(id));
  }

  removeTopic(topic: Topic): void {
    const id = idText(topic);
    this.#eventFiles.get(id)?.close();
    this.#eventFiles.delete(id);
    rmSync(this.#eventsPath(id), { force: true });
  }

  close(): void {
    for (const file of this.#eventFiles.values()) file.close();
    this.#eventFiles.clear();
  }

  #fileOf(topic: Topic): JsonLinesFile {
    const id = idText(topic);
    let file = this.#eventFiles.get(id);
    if (file === undefined) {
      file = JsonLinesFile.open(this.#eventsPath(id)).file;
      this.#eventFiles.set(id, file);
    }
    return file;
  }

  /** Event files of topics the topic list no longer has (a crash between the two writes). */
  #removeOrphans(known: ReadonlySet<string>): void {
    const directory = join(this.#directory, "ensign-events");
    for (const name of readdirSync(directory)) if (!known.has(name)) rmSync(join(directory, name), { force: true });
  }

  #topicsPath(): string {
    return join(this.#directory, "ensign-topics.json");
  }

  #eventsPath(id: string): string {
    return join(this.#directory, "ensign-events", `${id}.jsonl`);
  }
}

function idText(topic: Topic): string {
  return Buffer.from(topic.id).toString("hex");
}

/** Message -> JSON value: bytes become { $bytes: base64 }. */
function toJson(value: unknown): unknown {
  if (value instanceof Uint8Array) return { $bytes: Buffer.from(value).toString("base64") };
  if (Array.isArray(value)) return value.map(toJson);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, toJson(field)]));
  }
  return value;
}

function revive(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(revive);
  if (value !== null && typeof value === "object") {
    const bytes = (value as { $bytes?: unknown }).$bytes;
    if (typeof bytes === "string") return Buffer.from(bytes, "base64");
    return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, revive(field)]));
  }
  return value;
}
