import type { CodecRegistry } from "../../core/codec.js";
import { ValidationError } from "../../core/errors.js";
import type { RecordedEvent } from "../../core/event.js";
import type { EventFilter, ReadAllOptions } from "../../core/event-stream.js";
import { Position } from "../../core/position.js";
import { toDirection, toMaxCount } from "../../core/validation.js";
import { MEMORY_BACKEND, toRecordedEvent, type MemoryLog, type StoredEvent } from "./memory-log.js";

export async function* readAllEvents(
  log: MemoryLog,
  codecs: CodecRegistry,
  options: ReadAllOptions,
  assertOpen: () => void,
): AsyncGenerator<RecordedEvent> {
  assertOpen();
  const direction = toDirection(options.direction);
  const maxCount = toMaxCount(options.maxCount);
  const matches = compileFilter(options.filter);
  const length = log.all.length;
  const from = options.from ?? "start";
  let index: number;
  if (from === "start") index = direction === "forwards" ? 0 : length - 1;
  else if (from === "end") index = direction === "forwards" ? length : length - 1;
  else index = Math.min(positionIndex(from), direction === "forwards" ? length : length - 1);
  const step = direction === "forwards" ? 1 : -1;
  let delivered = 0n;
  for (; index >= 0 && index < length; index += step) {
    if (maxCount !== undefined && delivered >= maxCount) return;
    options.signal?.throwIfAborted();
    const stored = log.all[index]!;
    if (!matches(stored)) continue;
    delivered++;
    yield toRecordedEvent(stored, codecs);
  }
}

/** Index in the global log of a memory position, refusing other backends' positions. */
export function positionIndex(value: Position | string): number {
  const position = Position.from(value, MEMORY_BACKEND, 1);
  const index = position.parts[0]!;
  if (index > BigInt(Number.MAX_SAFE_INTEGER)) throw new ValidationError("Position is out of range", "position");
  return Number(index);
}

export function compileFilter(filter: EventFilter | undefined): (stored: StoredEvent) => boolean {
  if (filter === undefined) return () => true;
  if (typeof filter !== "object" || filter === null) throw new ValidationError("filter must be an object", "filter");
  const prefixes = checkList(filter.streamPrefixes, "filter.streamPrefixes");
  const types = checkList(filter.eventTypes, "filter.eventTypes");
  const typeSet = types && new Set(types);
  return (stored) =>
    (!prefixes || prefixes.some((p) => stored.streamId.startsWith(p))) && (!typeSet || typeSet.has(stored.event.type));
}

function checkList(list: readonly string[] | undefined, field: string): readonly string[] | undefined {
  if (list === undefined) return undefined;
  if (!Array.isArray(list) || list.length === 0 || list.some((s) => typeof s !== "string" || s.length === 0)) {
    throw new ValidationError(`${field} must be a non-empty array of non-empty strings`, field);
  }
  return list;
}
