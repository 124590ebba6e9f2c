import type { DeleteRequest, ReadAllRequest, ReadRequest, ResolvedPersistentTarget, ValidPersistentSettings } from "./driver.js";
import { ValidationError } from "./errors.js";
import type {
  DeleteOptions,
  EventFilter,
  PersistentSubscriptionSettings,
  PersistentTarget,
  ReadAllOptions,
  ReadOptions,
} from "./event-stream.js";
import { Position } from "./position.js";
import { assertExpectedRevision, assertStreamName, describeValue, toDirection, toMaxCount } from "./validation.js";

/** The caller's read options, checked, as a driver receives them. */
export function toReadRequest(stream: string, options: ReadOptions): ReadRequest {
  assertStreamName(stream);
  const direction = toDirection(options.direction);
  const maxCount = toMaxCount(options.maxCount);
  const from = options.from ?? "start";
  if (from !== "start" && from !== "end" && (typeof from !== "bigint" || from < 0n)) {
    throw new ValidationError(`from must be "start", "end" or a non-negative bigint revision, got ${describeValue(from)}`, "from");
  }
  return { stream, direction, from, maxCount, signal: options.signal };
}

export function toReadAllRequest(options: ReadAllOptions, backend: string, positionParts: number): ReadAllRequest {
  const direction = toDirection(options.direction);
  const maxCount = toMaxCount(options.maxCount);
  const from = options.from ?? "start";
  const start = from === "start" || from === "end" ? from : Position.from(from, backend, positionParts);
  return { direction, from: start, maxCount, filter: checkFilter(options.filter), signal: options.signal };
}

export function toDeleteRequest(stream: string, options: DeleteOptions): DeleteRequest {
  assertStreamName(stream);
  const expectedRevision = options.expectedRevision ?? "any";
  assertExpectedRevision(expectedRevision);
  return { stream, expectedRevision, signal: options.signal };
}

/** A `$all` filter: stream-name prefixes and/or exact event types, each a non-empty list of non-empty strings. */
export function checkFilter(filter: unknown, field = "filter"): EventFilter | undefined {
  if (filter === undefined) return undefined;
  if (typeof filter !== "object" || filter === null || Array.isArray(filter)) {
    throw new ValidationError(`${field} must be an object`, field);
  }
  const result: { streamPrefixes?: readonly string[]; eventTypes?: readonly string[] } = {};
  for (const [key, list] of Object.entries(filter)) {
    if (list === undefined) continue;
    if (key !== "streamPrefixes" && key !== "eventTypes") {
      throw new ValidationError(`Unknown filter key "${key}" (expected streamPrefixes, eventTypes)`, `${field}.${key}`);
    }
    if (!Array.isArray(list) || list.length === 0 || list.some((s) => typeof s !== "string" || s.length === 0)) {
      throw new ValidationError(`${field}.${key} must be a non-empty array of non-empty strings`, `${field}.${key}`);
    }
    result[key] = Object.freeze([...(list as string[])]);
  }
  return result;
}

export function resolvePersistentTarget(target: PersistentTarget, group: string): ResolvedPersistentTarget {
  if (typeof group !== "string" || group.length === 0) throw new ValidationError("group must be a non-empty string", "group");
  if (typeof target === "object" && target !== null && "stream" in target) {
    assertStreamName(target.stream, "target.stream");
    return { kind: "stream", stream: target.stream };
  }
  if (typeof target === "object" && target !== null && "all" in target && target.all === true) {
    return { kind: "all", filter: checkFilter(target.filter, "target.filter") };
  }
  throw new ValidationError("A persistent subscription target is {stream} or {all: true}", "target");
}

export function checkPersistentSettings(
  settings: PersistentSubscriptionSettings | undefined,
  target: ResolvedPersistentTarget,
  backend: string,
  positionParts: number,
): ValidPersistentSettings {
  if (settings === undefined) return {};
  if (typeof settings !== "object" || settings === null) throw new ValidationError("settings must be an object", "settings");
  const result: { -readonly [K in keyof ValidPersistentSettings]: ValidPersistentSettings[K] } = {};
  for (const key of ["maxRetryCount", "messageTimeoutMs"] as const) {
    const value = settings[key];
    if (value === undefined) continue;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
      throw new ValidationError(`${key} must be a non-negative integer, got ${describeValue(value)}`, key);
    }
    result[key] = value;
  }
  const start = settings.startFrom;
  if (start === undefined || start === "start" || start === "end") {
    if (start !== undefined) result.startFrom = start;
  } else if (target.kind === "stream") {
    if (typeof start !== "bigint" || start < 0n) {
      throw new ValidationError(`startFrom of a stream group is "start", "end" or a non-negative bigint revision`, "startFrom");
    }
    result.startFrom = start;
  } else {
    if (typeof start === "bigint") throw new ValidationError("startFrom of a $all group is a Position, not a revision", "startFrom");
    result.startFrom = Position.from(start, backend, positionParts);
  }
  return result;
}
