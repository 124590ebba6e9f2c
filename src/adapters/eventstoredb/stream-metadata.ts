import type { StreamMetadata as ClientStreamMetadata } from "@eventstore/db-client";
import { ValidationError } from "../../core/errors.js";
import type { StreamMetadata } from "../../core/event-stream.js";

/** ESDB's `$$stream` metadata (as the client returns it) in the port's shape. */
export function fromClientMetadata(metadata: ClientStreamMetadata | undefined): StreamMetadata {
  const result: StreamMetadata = {};
  if (!metadata) return result;
  if (typeof metadata.maxCount === "number") result.maxCount = metadata.maxCount;
  if (typeof metadata.maxAge === "number") result.maxAgeSeconds = metadata.maxAge;
  if (isUserTruncateBefore(metadata.truncateBefore)) result.truncateBefore = BigInt(metadata.truncateBefore);
  return result;
}

/**
 * A soft delete sets `$tb` to EventNumber.DeletedStream (2^63-1), which JSON parsing turns into an
 * imprecise float: that is the server's deletion marker, not a retention setting.
 */
function isUserTruncateBefore(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/**
 * The metadata to write: the port's retention settings over whatever else the stream's metadata
 * already holds (ACLs, cache control, custom keys), which this port does not manage and must not
 * erase. A `truncateBefore` set earlier is kept when not given. The soft-delete marker is not
 * copied back: on a metadata write to a soft-deleted stream the server itself turns it into
 * "truncate before the old end", so the deleted events stay hidden.
 */
export function toClientMetadata(metadata: StreamMetadata, current: ClientStreamMetadata | undefined): ClientStreamMetadata {
  const valid = validateStreamMetadata(metadata);
  const { maxCount: _maxCount, maxAge: _maxAge, truncateBefore, ...unmanaged } = current ?? {};
  const next: ClientStreamMetadata = { ...unmanaged };
  if (valid.maxCount !== undefined) next.maxCount = valid.maxCount;
  if (valid.maxAgeSeconds !== undefined) next.maxAge = valid.maxAgeSeconds;
  if (valid.truncateBefore !== undefined) next.truncateBefore = Number(valid.truncateBefore);
  else if (isUserTruncateBefore(truncateBefore)) next.truncateBefore = truncateBefore;
  return next;
}

function validateStreamMetadata(metadata: unknown): StreamMetadata {
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) {
    throw new ValidationError("Stream metadata must be an object", "metadata");
  }
  const result: StreamMetadata = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (value === undefined) continue;
    switch (key) {
      case "maxCount":
      case "maxAgeSeconds":
        if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
          throw new ValidationError(`metadata.${key} must be a positive integer`, `metadata.${key}`);
        }
        result[key] = value;
        break;
      case "truncateBefore":
        if (typeof value !== "bigint" || value < 0n || value > BigInt(Number.MAX_SAFE_INTEGER)) {
          throw new ValidationError(
            "metadata.truncateBefore must be a non-negative bigint (at most 2^53-1 on EventStoreDB)",
            "metadata.truncateBefore",
          );
        }
        result.truncateBefore = value;
        break;
      default:
        throw new ValidationError(
          `Unknown stream metadata key "${key}" (expected maxCount, maxAgeSeconds, truncateBefore)`,
          `metadata.${key}`,
        );
    }
  }
  return result;
}
