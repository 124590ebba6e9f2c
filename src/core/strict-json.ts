import { SerializationError } from "./errors.js";

/**
 * JSON.stringify that refuses what JSON would change silently: a non-finite number (stored as
 * null), a function or symbol (dropped, or null inside an array), a Map or Set (stored as `{}`).
 * `undefined`-valued properties are dropped as JSON does (they read back as absent), and `toJSON`
 * values such as a Date are stored as their JSON form (an ISO string); both are documented
 * behaviour, not surprises. BigInt values and cycles throw, as JSON.stringify does.
 */
export function stringifyStrict(value: unknown, contentType = "application/json"): string {
  // The walk costs a few percent of the stringify; the replacer path, which also names the
  // offending property, runs only for values the walk cannot vouch for.
  const text = isPlainLossless(value, 0) ? JSON.stringify(value) : stringifyChecked(value, contentType);
  if (text === undefined) throw new SerializationError(`Data of type ${typeof value} has no JSON form`, contentType);
  return text;
}

const MAX_WALK_DEPTH = 64;

/** True when JSON.stringify keeps `value` as it is; false or unsure sends it to the checked path. */
function isPlainLossless(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value);
    case "object": {
      if (value === null) return true;
      if (depth > MAX_WALK_DEPTH || typeof (value as { toJSON?: unknown }).toJSON === "function") return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!isPlainLossless(value[i], depth + 1)) return false;
        return true;
      }
      if (value instanceof Map || value instanceof Set) return false;
      for (const key in value) {
        if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
        const item = (value as Record<string, unknown>)[key];
        if (item !== undefined && !isPlainLossless(item, depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

function stringifyChecked(value: unknown, contentType: string): string | undefined {
  try {
    return JSON.stringify(value, refuseLossy);
  } catch (cause) {
    if (cause instanceof LossyValue) {
      throw new SerializationError(`${cause.message} cannot be stored as JSON without changing it`, contentType);
    }
    // BigInt values and cycles land here.
    throw new SerializationError(`Data cannot be encoded as JSON: ${(cause as Error).message}`, contentType, { cause });
  }
}

class LossyValue extends Error {}

function refuseLossy(key: string, value: unknown): unknown {
  switch (typeof value) {
    case "number":
      if (!Number.isFinite(value)) throw new LossyValue(`${describeKey(key)} is ${value}, which`);
      return value;
    case "function":
      throw new LossyValue(`${describeKey(key)} is a function, which`);
    case "symbol":
      throw new LossyValue(`${describeKey(key)} is a symbol, which`);
    case "object":
      if (value instanceof Map || value instanceof Set) throw new LossyValue(`${describeKey(key)} is a ${value.constructor.name}, which`);
      return value;
    default:
      return value;
  }
}

function describeKey(key: string): string {
  return key === "" ? "The value" : `Property ${JSON.stringify(key)}`;
}
