// Option values checked as commander parses them: a bad value is a usage error (exit 2).
import { InvalidArgumentError } from "commander";
import type { ExpectedRevision } from "../core/event.js";

export function revisionArgument(value: string): bigint {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError("expected a revision: a non-negative integer");
  return BigInt(value);
}

export function positiveIntegerArgument(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError("expected a positive integer");
  return n;
}

export function expectedRevisionArgument(value: string): ExpectedRevision {
  if (value === "any" || value === "no_stream" || value === "stream_exists") return value;
  if (/^\d+$/.test(value)) return BigInt(value);
  throw new InvalidArgumentError('expected "any", "no_stream", "stream_exists" or a revision');
}

/** For repeatable options: `--type a --type b` gives ["a", "b"]. */
export function collect(value: string, previous: readonly string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** A JSON argument (`--data '{"a":1}'`), parsed. */
export function jsonArgument(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch (error) {
    throw new InvalidArgumentError(`not valid JSON (${(error as Error).message})`);
  }
}
