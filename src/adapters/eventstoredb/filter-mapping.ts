import { eventTypeFilter, streamNameFilter, type Filter } from "@eventstore/db-client";
import type { RecordedEvent } from "../../core/event.js";
import type { EventFilter } from "../../core/event-stream.js";

/**
 * How an `$all` filter runs on EventStoreDB: ESDB takes one server-side expression (stream names
 * or event types), so the other part, exact event-type matching, and the exclusion of system
 * events run on the client.
 */
export interface FilterPlan {
  /** The server-side filter, without its checkpoint callback. */
  readonly server: Omit<Filter, "checkpointReached"> | undefined;
  /** Whether an event is delivered to the caller. */
  readonly accepts: (event: RecordedEvent) => boolean;
}

/** Streams and event types starting with "$" are ESDB's own ($metadata, $streamDeleted, links, stats). */
export const isSystemEvent = (event: { streamId: string; type: string }): boolean =>
  event.streamId.startsWith("$") || event.type.startsWith("$");

/** A filter core has checked (or a category prefix) as ESDB runs it. */
export function planFilter(filter: EventFilter | undefined, category?: string): FilterPlan {
  if (category !== undefined) {
    return {
      server: streamNameFilter({ prefixes: [category] }),
      accepts: (e) => e.streamId.startsWith(category) && !isSystemEvent(e),
    };
  }
  if (filter === undefined) return { server: undefined, accepts: (e) => !isSystemEvent(e) };
  const prefixes = filter.streamPrefixes;
  const types = filter.eventTypes;
  const typeSet = types && new Set(types);
  const accepts = (e: RecordedEvent) =>
    !isSystemEvent(e) && (!prefixes || prefixes.some((p) => e.streamId.startsWith(p))) && (!typeSet || typeSet.has(e.type));
  // Event types go to the server as prefixes (exact matching follows on the client), which keeps
  // working on servers whose regex dialect differs from JavaScript's.
  const server = prefixes
    ? streamNameFilter({ prefixes: [...prefixes] })
    : types
      ? eventTypeFilter({ prefixes: [...types] })
      : undefined;
  return { server, accepts };
}
