import { SerializationError } from "./errors.js";

/**
 * JSON.stringify that refuses what JSON would change silently: a non-finite number (stored as
 * null), a function or symbol (dropped, or null inside an array). `undefined`-valued properties
 * are dropped as JSON does (they read back as absent), and `toJSON` values such as a Date are
 * stored as their JSON form (an ISO string); both are documented behaviour, not surprises.
 * BigInt values and cycles throw, as JSON.stringify does.
 */
export function stringifyStrict(value: unknown, contentType = "application/json"): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value, refuseLossy);
  } catch (cause) {
    if (cause instanceof LossyValue) {
      throw new SerializationError(`${cause.message} cannot be stored as JSON without changing it`, contentType);
    }
    // BigInt values and cycles land here.
    throw new SerializationError(`Data cannot be encoded as JSON: ${(cause as Error).message}`, contentType, { cause });
  }
  if (text === undefined) throw new SerializationError(`Data of type ${typeof value} has no JSON form`, contentType);
  return text;
}

class LossyValue extends Error {}

function refuseLossy(this: unknown, key: string, value: unknown): unknown {
  switch (typeof value) {
    case "number":
      if (!Number.isFinite(value)) throw new LossyValue(`${describeKey(key)} is ${value}, which`);
      return value;
    case "function":
      throw new LossyValue(`${describeKey(key)} is a function, which`);
    case "symbol":
      throw new LossyValue(`${describeKey(key)} is a symbol, which`);
    default:
      return value;
  }
}

function describeKey(key: string): string {
  return key === "" ? "The value" : `Property ${JSON.stringify(key)}`;
}
