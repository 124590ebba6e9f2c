import type { StreamMetadata as ClientStreamMetadata } from "@eventstore/db-client";
import type { StreamMetadata } from "../../core/event-stream.js";

/** The client reads `$tb` as a JSON number, so a larger revision would lose precision. */
export const ESDB_TRUNCATE_LIMIT = { value: BigInt(Number.MAX_SAFE_INTEGER), note: "at most 2^53-1 on EventStoreDB" };

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
 * The metadata to write, from settings core has checked (`truncateBefore` within
 * ESDB_TRUNCATE_LIMIT, the driver's `maxTruncateBefore`). Like every adapter, the port's three
 * retention settings are replaced as a whole (one not given is cleared); whatever else the stream's metadata holds (ACLs, cache
 * control, custom keys) is kept, since the port does not manage it. A soft delete's marker
 * (`$tb` = 2^63-1) is not written back either: on a metadata write to a soft-deleted stream the
 * server itself turns it into "truncate before the old end", so the deleted events stay hidden.
 */
export function toClientMetadata(valid: StreamMetadata, current: ClientStreamMetadata | undefined): ClientStreamMetadata {
  const { maxCount: _maxCount, maxAge: _maxAge, truncateBefore: _truncateBefore, ...unmanaged } = current ?? {};
  const next: ClientStreamMetadata = { ...unmanaged };
  if (valid.maxCount !== undefined) next.maxCount = valid.maxCount;
  if (valid.maxAgeSeconds !== undefined) next.maxAge = valid.maxAgeSeconds;
  if (valid.truncateBefore !== undefined) next.truncateBefore = Number(valid.truncateBefore);
  return next;
}

