import type { EventFilter } from "../../core/event-stream.js";

/** A WHERE fragment with its parameters; "1" with none when nothing narrows. */
export interface SqlCondition {
  readonly sql: string;
  readonly params: readonly string[];
}

const EVERYTHING: SqlCondition = { sql: "1", params: [] };

/**
 * A checked `$all` filter as SQL. `instr(stream, ?) = 1` is "starts with", counted the way
 * SQLite counts characters, so no prefix length has to agree between JavaScript and SQLite.
 */
export function filterCondition(filter: EventFilter | undefined): SqlCondition {
  if (!filter) return EVERYTHING;
  const parts: string[] = [];
  const params: string[] = [];
  if (filter.streamPrefixes) {
    parts.push(`(${filter.streamPrefixes.map(() => "instr(stream, ?) = 1").join(" OR ")})`);
    params.push(...filter.streamPrefixes);
  }
  if (filter.eventTypes) {
    parts.push(`type IN (${filter.eventTypes.map(() => "?").join(", ")})`);
    params.push(...filter.eventTypes);
  }
  return parts.length === 0 ? EVERYTHING : { sql: parts.join(" AND "), params };
}

export function prefixCondition(prefix: string): SqlCondition {
  return { sql: "instr(stream, ?) = 1", params: [prefix] };
}
