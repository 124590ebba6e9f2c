import { createHash } from "node:crypto";
import { ConfigurationError } from "../../core/errors.js";
import { CATEGORY_SEPARATOR } from "../../core/subscription-target.js";
import { MAX_TOPIC_NAME_LENGTH } from "./topics.js";

/**
 * Names this adapter can both create and query. Ensign allows `^[a-zA-Z][a-zA-Z0-9._-]*$`, but
 * its EnSQL parser reads a topic identifier as `[a-zA-Z0-9_]+` only (a dot starts a schema, a
 * hyphen ends the name) and matches reserved words as case-insensitive prefixes, so a topic
 * named e.g. "orders" ("OR…") or "assets" ("AS…") cannot appear in `FROM`.
 */
const QUERYABLE = /^[a-zA-Z][a-zA-Z0-9_]*$/;
const RESERVED_PREFIXES = ["SELECT", "FROM", "WHERE", "AS", "OFFSET", "LIMIT", "AND", "OR", "LIKE", "ILIKE"];

/** True for a topic name EnSQL can query without quoting. */
export function isQueryableTopicName(name: string): boolean {
  if (name.length > MAX_TOPIC_NAME_LENGTH || !QUERYABLE.test(name)) return false;
  const upper = name.toUpperCase();
  // A bare t/f/true/false is read as a boolean literal, not an identifier.
  return !RESERVED_PREFIXES.some((word) => upper.startsWith(word)) && !/^(T|F|TRUE|FALSE)$/.test(upper);
}

export function assertQueryableTopicName(name: unknown, source: string): asserts name is string {
  if (typeof name !== "string" || !isQueryableTopicName(name)) {
    throw new ConfigurationError(
      `${source} gave topic ${JSON.stringify(name)}: the Ensign adapter needs ^[a-zA-Z][a-zA-Z0-9_]*$ ` +
        `(EnSQL cannot name topics with "." or "-") not starting with an EnSQL keyword (${RESERVED_PREFIXES.join(", ")})`,
    );
  }
}

/** The part of a stream id before the first "-" (the whole id when it has none). */
export function categoryOf(stream: string): string {
  const at = stream.indexOf(CATEGORY_SEPARATOR);
  return at < 0 ? stream : stream.slice(0, at);
}

/**
 * The default topic of a category: the category itself when it is a queryable topic name;
 * otherwise `s_` + its letters/digits/underscores + `_` + 8 hex of its SHA-256, which is stable,
 * queryable and keeps different categories apart.
 */
export function topicForCategory(category: string): string {
  if (isQueryableTopicName(category)) return category;
  const cleaned = category.replace(/[^a-zA-Z0-9_]/g, "_").slice(0, 400);
  const hash = createHash("sha256").update(category, "utf8").digest("hex").slice(0, 8);
  return `s_${cleaned}_${hash}`;
}

export type TopicMapper = (stream: string) => string;

/** Builds the stream → topic function from config: one fixed topic, a custom function, or the category. */
export function makeTopicMapper(options: { topic?: string; topicFor?: (stream: string) => string }): TopicMapper {
  if (options.topic !== undefined) {
    assertQueryableTopicName(options.topic, "config.topic");
    const topic = options.topic;
    return () => topic;
  }
  const custom = options.topicFor;
  if (custom) {
    return (stream) => {
      const topic = custom(stream);
      assertQueryableTopicName(topic, `topicFor("${stream}")`);
      return topic;
    };
  }
  // Memoised: every append and read maps its stream, and an application has few categories.
  const topics = new Map<string, string>();
  return (stream) => {
    const category = categoryOf(stream);
    let topic = topics.get(category);
    if (topic === undefined) {
      topic = topicForCategory(category);
      if (topics.size < MAX_MEMOISED_CATEGORIES) topics.set(category, topic);
    }
    return topic;
  };
}

const MAX_MEMOISED_CATEGORIES = 10_000;
