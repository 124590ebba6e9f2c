import { ValidationError } from "./errors.js";
import type { ExpectedRevision } from "./event.js";
import type { Direction } from "./event-stream.js";

const MAX_STREAM_NAME_LENGTH = 2048;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A stream name is a non-empty string without control characters; `$all` is not a stream. */
export function assertStreamName(stream: unknown, field = "stream"): asserts stream is string {
  if (typeof stream !== "string") {
    throw new ValidationError(`Stream name must be a string, got ${typeof stream}`, field);
  }
  if (stream.length === 0) throw new ValidationError("Stream name must not be empty", field);
  if (stream.length > MAX_STREAM_NAME_LENGTH) {
    throw new ValidationError(`Stream name is longer than ${MAX_STREAM_NAME_LENGTH} characters`, field);
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(stream)) {
    throw new ValidationError("Stream name must not contain control characters", field);
  }
  if (stream === "$all") throw new ValidationError('"$all" is not a stream that can be named here', field);
}

export function assertUuid(id: unknown, field: string): asserts id is string {
  if (typeof id !== "string" || !UUID.test(id)) {
    throw new ValidationError(`${field} must be a UUID string, got ${JSON.stringify(id) ?? typeof id}`, field);
  }
}

export function assertExpectedRevision(value: unknown, field = "expectedRevision"): asserts value is ExpectedRevision {
  if (value === "any" || value === "no_stream" || value === "stream_exists") return;
  if (typeof value === "bigint") {
    if (value < 0n) throw new ValidationError(`${field} must not be negative, got ${value}`, field);
    return;
  }
  throw new ValidationError(
    `${field} must be "any", "no_stream", "stream_exists" or a non-negative bigint, got ${describeValue(value)}`,
    field,
  );
}

/** A revision given as bigint or a safe non-negative integer number. */
export function toRevision(value: unknown, field: string): bigint {
  if (typeof value === "bigint") {
    if (value < 0n) throw new ValidationError(`${field} must not be negative, got ${value}`, field);
    return value;
  }
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  throw new ValidationError(`${field} must be a non-negative integer revision, got ${describeValue(value)}`, field);
}

/** Positive count, or undefined for no limit. */
export function toMaxCount(value: unknown): bigint | undefined {
  if (value === undefined) return undefined;
  if (value === Infinity) return undefined;
  const n = typeof value === "number" && Number.isSafeInteger(value) ? BigInt(value) : value;
  if (typeof n !== "bigint" || n <= 0n) {
    throw new ValidationError(`maxCount must be a positive integer, got ${describeValue(value)}`, "maxCount");
  }
  return n;
}

export function toDirection(value: unknown): Direction {
  if (value === undefined || value === "forwards") return "forwards";
  if (value === "backwards") return "backwards";
  throw new ValidationError(`direction must be "forwards" or "backwards", got ${describeValue(value)}`, "direction");
}

export function describeValue(value: unknown): string {
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") return String(value);
  if (value === null) return "null";
  return typeof value;
}
