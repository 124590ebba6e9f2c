import { isUlidString, ulidFromString, ulidToString } from "./wire/ids.js";

/**
 * Topic name → 16-byte topic id, filled by CreateTopic, lookups and every StreamReady.
 * Only positive answers are cached: a topic created elsewhere is found on the next lookup.
 */
export class TopicCache {
  readonly #ids = new Map<string, Uint8Array>();

  get(name: string): Uint8Array | undefined {
    return this.#ids.get(name);
  }

  set(name: string, id: Uint8Array): void {
    this.#ids.set(name, id);
  }

  delete(nameOrId: string): void {
    if (this.#ids.delete(nameOrId)) return;
    for (const [name, id] of this.#ids) if (ulidToString(id) === nameOrId.toUpperCase()) this.#ids.delete(name);
  }

  /** Adds every entry of a StreamReady topic map. */
  feed(topics: Readonly<Record<string, Uint8Array>>): void {
    for (const [name, id] of Object.entries(topics)) if (id.length === 16) this.#ids.set(name, Uint8Array.from(id));
  }

  /** A cached name, or a ULID string taken as an id; undefined when neither. */
  resolve(nameOrId: string): Uint8Array | undefined {
    return this.#ids.get(nameOrId) ?? (isUlidString(nameOrId) ? ulidFromString(nameOrId) : undefined);
  }

  nameOf(id: Uint8Array): string | undefined {
    const text = ulidToString(id);
    for (const [name, cached] of this.#ids) if (ulidToString(cached) === text) return name;
    return undefined;
  }

  clear(): void {
    this.#ids.clear();
  }

  get size(): number {
    return this.#ids.size;
  }
}
