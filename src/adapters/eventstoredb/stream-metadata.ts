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
 * The metadata to write. Like every adapter, the port's three retention settings are replaced as a
 * whole (one not given is cleared); whatever else the stream's metadata holds (ACLs, cache
 * control, custom keys) is kept, since the port does not manage it. A soft delete's marker
 * (`$tb` = 2^63-1) is not written back either: on a metadata write to a soft-deleted stream the
 * server itself turns it into "truncate before the old end", so the deleted events stay hidden.
 */
export function toClientMetadata(metadata: StreamMetadata, current: ClientStreamMetadata | undefined): ClientStreamMetadata {
  const valid = validateStreamMetadata(metadata);
  const { maxCount: _maxCount, maxAge: _maxAge, truncateBefore: _truncateBefore, ...unmanaged } = current ?? {};
  const next: ClientStreamMetadata = { ...unmanaged };
  if (valid.maxCount !== undefined) next.maxCount = valid.maxCount;
  if (valid.maxAgeSeconds !== undefined) next.maxAge = valid.maxAgeSeconds;
  if (valid.truncateBefore !== undefined) next.truncateBefore = Number(valid.truncateBefore);
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
