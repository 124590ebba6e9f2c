// Which source events a copy takes: the user's filters, never `$` system streams or events.
import type { RecordedEvent } from "../../core/event.js";
import type { EventFilter } from "../../core/event-stream.js";

export interface Selection {
  /** Stream-name prefixes (any of them); all streams when absent. */
  readonly prefixes?: readonly string[];
  /** Event types (any of them); all types when absent. */
  readonly types?: readonly string[];
}

/** Streams and event types starting with `$` belong to the backend (settings, metadata, links), not the user. */
export function isSystem(event: RecordedEvent): boolean {
  return event.streamId.startsWith("$") || event.type.startsWith("$");
}

export function matches(selection: Selection, event: RecordedEvent): boolean {
  if (selection.prefixes !== undefined && !selection.prefixes.some((prefix) => event.streamId.startsWith(prefix))) return false;
  if (selection.types !== undefined && !selection.types.includes(event.type)) return false;
  return true;
}

/** The same selection as a server-side filter for readAll, so a backend can leave the rest out. */
export function filterOf(selection: Selection): EventFilter | undefined {
  const filter: EventFilter = {
    ...(selection.prefixes === undefined ? {} : { streamPrefixes: selection.prefixes }),
    ...(selection.types === undefined ? {} : { eventTypes: selection.types }),
  };
  return Object.keys(filter).length > 0 ? filter : undefined;
}
