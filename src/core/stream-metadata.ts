import { ValidationError } from "./errors.js";
import type { StreamMetadata } from "./event-stream.js";

/**
 * Checks retention settings; unknown keys are refused so a typo does not silently keep data.
 * `maxTruncateBefore` is a backend's upper bound for `truncateBefore`.
 */
export function validateStreamMetadata(metadata: unknown, maxTruncateBefore?: { value: bigint; note: string }): StreamMetadata {
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
        if (typeof value !== "bigint" || value < 0n || (maxTruncateBefore && value > maxTruncateBefore.value)) {
          const bound = maxTruncateBefore ? ` (${maxTruncateBefore.note})` : "";
          throw new ValidationError(`metadata.truncateBefore must be a non-negative bigint${bound}`, "metadata.truncateBefore");
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
