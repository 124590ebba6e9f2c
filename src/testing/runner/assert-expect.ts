import { AssertionError, deepStrictEqual, notDeepStrictEqual, notStrictEqual, strictEqual } from "node:assert/strict";
import { inspect, isDeepStrictEqual } from "node:util";
import type { Assertion, Expect, Matchers } from "./expect.js";

/** Whether the matcher holds, and what it expects, in words, for the failure message. */
type Verdict = readonly [holds: boolean, expectation: string];
type RuleName = Exclude<keyof Matchers, "toBe" | "toEqual" | "toStrictEqual">;
type Rule = (actual: unknown, expected: unknown) => Verdict;

const show = (value: unknown): string => inspect(value, { depth: 4, breakLength: Infinity });
const isNumeric = (value: unknown): value is number | bigint => typeof value === "number" || typeof value === "bigint";

const rules: Record<RuleName, Rule> = {
  toMatchObject: (a, e) => [matchesObject(a, e), `to match the object ${show(e)}`],
  toBeInstanceOf: (a, e) => [typeof e === "function" && a instanceof e, `to be an instance of ${(e as { name?: string }).name}`],
  toBeDefined: (a) => [a !== undefined, "to be defined"],
  toBeUndefined: (a) => [a === undefined, "to be undefined"],
  toBeNull: (a) => [a === null, "to be null"],
  toBeTruthy: (a) => [Boolean(a), "to be truthy"],
  toBeFalsy: (a) => [!a, "to be falsy"],
  toBeGreaterThan: (a, e) => [isNumeric(a) && isNumeric(e) && a > e, `to be greater than ${show(e)}`],
  toBeGreaterThanOrEqual: (a, e) => [isNumeric(a) && isNumeric(e) && a >= e, `to be at least ${show(e)}`],
  toBeLessThan: (a, e) => [isNumeric(a) && isNumeric(e) && a < e, `to be less than ${show(e)}`],
  toBeLessThanOrEqual: (a, e) => [isNumeric(a) && isNumeric(e) && a <= e, `to be at most ${show(e)}`],
  toContain: (a, e) => [typeof a === "string" ? typeof e === "string" && a.includes(e) : Array.isArray(a) && a.includes(e), `to contain ${show(e)}`],
  toHaveLength: (a, e) => [typeof a === "object" && a !== null && (a as { length?: unknown }).length === e, `to have length ${show(e)}`],
  toMatch: (a, e) => [typeof a === "string" && (e instanceof RegExp ? e.test(a) : a.includes(String(e))), `to match ${show(e)}`],
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function matchesObject(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((item, i) => matchesObject(actual[i], item));
  }
  if (isPlainObject(expected)) {
    if (typeof actual !== "object" || actual === null) return false;
    const fields = actual as Record<string, unknown>;
    return Object.entries(expected).every(([key, value]) => matchesObject(fields[key], value));
  }
  return isDeepStrictEqual(actual, expected);
}

function matchers(actual: unknown, negated: boolean): Matchers {
  const fromRules = {} as Record<RuleName, (expected?: unknown) => void>;
  for (const name of Object.keys(rules) as RuleName[]) {
    fromRules[name] = (expected) => {
      const [holds, expectation] = rules[name](actual, expected);
      if (holds === negated) {
        const message = `expected ${show(actual)} ${negated ? "not " : ""}${expectation}`;
        throw new AssertionError({ message, actual, expected, operator: name });
      }
    };
  }
  // node:assert's own functions, so a failure shows node's diff.
  const equal = negated ? notDeepStrictEqual : deepStrictEqual;
  return {
    ...fromRules,
    toBe: (expected) => (negated ? notStrictEqual : strictEqual)(actual, expected),
    toEqual: (expected) => equal(actual, expected),
    toStrictEqual: (expected) => equal(actual, expected),
  };
}

/**
 * The conformance suite's `expect` when the runner has none (node:test), built on node:assert.
 * `toEqual` is deep *strict* equality here, so it is at least as strict as jest's.
 */
export const assertExpect: Expect = (actual): Assertion => ({ ...matchers(actual, false), not: matchers(actual, true) });
