import type { CodecRegistry } from "../../core/codec.js";
import type { ReadAllRequest } from "../../core/driver.js";
import type { RecordedEvent } from "../../core/event.js";
import type { EventFilter } from "../../core/event-stream.js";
import type { Position } from "../../core/position.js";
import { toRecordedEvent, type MemoryLog, type StoredEvent } from "./memory-log.js";

export async function* readAllEvents(log: MemoryLog, codecs: CodecRegistry, request: ReadAllRequest): AsyncGenerator<RecordedEvent> {
  const { direction, from, maxCount, signal } = request;
  const matches = compileFilter(request.filter);
  const length = log.all.length;
  let index: number;
  if (from === "start") index = direction === "forwards" ? 0 : length - 1;
  else if (from === "end") index = direction === "forwards" ? length : length - 1;
  else index = Math.min(positionIndex(from), direction === "forwards" ? length : length - 1);
  const step = direction === "forwards" ? 1 : -1;
  let delivered = 0n;
  for (; index >= 0 && index < length; index += step) {
    if (maxCount !== undefined && delivered >= maxCount) return;
    signal?.throwIfAborted();
    const stored = log.all[index]!;
    if (!matches(stored)) continue;
    delivered++;
    yield toRecordedEvent(stored, codecs);
  }
}

/** Index in the global log of a memory position (already checked to be one). */
export function positionIndex(position: Position): number {
  const index = position.parts[0]!;
  // Past any index the log can hold: "after everything".
  return index > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(index);
}

/** A checked filter as a predicate over stored events. */
export function compileFilter(filter: EventFilter | undefined): (stored: StoredEvent) => boolean {
  if (filter === undefined) return () => true;
  const prefixes = filter.streamPrefixes;
  const types = filter.eventTypes && new Set(filter.eventTypes);
  return (stored) =>
    (!prefixes || prefixes.some((p) => stored.streamId.startsWith(p))) && (!types || types.has(stored.type));
}
