/**
 * Deduplication as the server applies it: only when a policy is (re)applied to a topic (a rehash
 * over the stored log), never on publish. A duplicate keeps its own RLID and is stored with
 * is_duplicate + duplicate_id pointing at the first occurrence; EnSQL hides duplicates unless
 * include_duplicates, and then dereferences them to the original's data.
 */
import { decodeEvent, type Deduplication, type Event, type EventWrapper } from "../../adapters/ensign/wire/index.js";
import type { StoredTopic } from "./store.js";

const STRICT = 2;
const DATAGRAM = 3;
const KEY_GROUPED = 4;
const UNIQUE_KEY = 5;
const UNIQUE_FIELD = 6;

/** The server's Deduplication.Validate() messages; undefined when valid. */
export function validateDeduplication(policy: Deduplication | null): string | undefined {
  const strategy = policy?.strategy ?? 0;
  const keys = policy?.keys.length ?? 0;
  const fields = policy?.fields.length ?? 0;
  if (strategy === KEY_GROUPED || strategy === UNIQUE_KEY) {
    if (keys === 0) return "no keys specified for key based hashing";
    if (fields > 0) return "do not specify fields for this policy";
  } else if (strategy === UNIQUE_FIELD) {
    if (fields === 0) return "no fields specified for field based hashing";
    if (keys > 0) return "do not specify keys for this policy";
  } else {
    if (keys > 0) return "do not specify keys for this policy";
    if (fields > 0) return "do not specify fields for this policy";
  }
  return undefined;
}

function keyValues(event: Event, keys: readonly string[]): string {
  return JSON.stringify(keys.map((key) => event.metadata[key] ?? null));
}

function dataHex(event: Event): string {
  return Buffer.from(event.data).toString("hex");
}

/** Identity of an event under a policy; equal identities are duplicates. */
function identity(event: Event, policy: Deduplication): string {
  switch (policy.strategy) {
    case STRICT: {
      const metadata = Object.keys(event.metadata)
        .sort()
        .map((key) => [key, event.metadata[key]]);
      return JSON.stringify([dataHex(event), metadata, event.mimetype, event.type ?? null]);
    }
    case DATAGRAM:
      return dataHex(event);
    case KEY_GROUPED:
      return JSON.stringify([keyValues(event, policy.keys), dataHex(event)]);
    case UNIQUE_KEY:
      return keyValues(event, policy.keys);
    default:
      throw new Error("unsupported deduplication strategy");
  }
}

/** A duplicate's event with the original's data filled in (what EnSQL returns). */
export function dereference(duplicate: EventWrapper, original: EventWrapper | undefined): EventWrapper {
  if (!original || duplicate.event.length > 0) return duplicate;
  return { ...duplicate, event: original.event, encryption: original.encryption, compression: original.compression };
}

/**
 * Re-evaluates every stored event of the topic under `policy` (first occurrence wins). Returns
 * false when the policy cannot be applied (UNIQUE_FIELD is not implemented by the server).
 */
export function rehashTopic(topic: StoredTopic, policy: Deduplication): boolean {
  if (policy.strategy === UNIQUE_FIELD) return false;
  const byId = new Map(topic.events.map((e) => [Buffer.from(e.id).toString("hex"), e]));
  // Restore earlier duplicates first so they are judged under the new policy.
  topic.events = topic.events.map((event) => {
    if (!event.is_duplicate) return event;
    const original = byId.get(Buffer.from(event.duplicate_id).toString("hex"));
    return { ...dereference(event, original), is_duplicate: false, duplicate_id: new Uint8Array(0) };
  });
  if (policy.strategy !== STRICT && policy.strategy !== DATAGRAM && policy.strategy !== KEY_GROUPED && policy.strategy !== UNIQUE_KEY) {
    return true; // NONE: nothing is a duplicate
  }
  const first = new Map<string, EventWrapper>();
  topic.events = topic.events.map((event) => {
    const key = identity(decodeEvent(event.event), policy);
    const original = first.get(key);
    if (!original) {
      first.set(key, event);
      return event;
    }
    const stripData = policy.strategy === STRICT || policy.overwrite_duplicate;
    return {
      ...event,
      is_duplicate: true,
      duplicate_id: original.id,
      ...(stripData ? { event: new Uint8Array(0), encryption: null, compression: null } : {}),
    };
  });
  return true;
}
