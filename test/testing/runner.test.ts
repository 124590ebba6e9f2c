import { AssertionError } from "node:assert";
import { describe, expect, it } from "vitest";
import { assertExpect } from "../../src/testing/runner/assert-expect.js";
import { resolveRunner, type TestRunner } from "../../src/testing/runner/test-runner.js";

describe("assertExpect: the suite's expect when the runner has none (node:test)", () => {
  const fails = (assertion: () => void, message: RegExp) => {
    expect(assertion).toThrow(AssertionError);
    expect(assertion).toThrow(message);
  };

  it("passes what jest's expect passes", () => {
    assertExpect(1n).toBe(1n);
    assertExpect({ a: [1, { b: "c" }] }).toEqual({ a: [1, { b: "c" }] });
    assertExpect({ a: 1, b: { c: 2, d: 3 } }).toMatchObject({ b: { c: 2 } });
    assertExpect(new Date()).toBeInstanceOf(Date);
    assertExpect(0).toBeDefined();
    assertExpect(3n).toBeGreaterThan(2);
    assertExpect(2).toBeLessThanOrEqual(2n);
    assertExpect(["x", "y"]).toContain("y");
    assertExpect("a conflict").toMatch(/conflict/);
    assertExpect([1, 2]).toHaveLength(2);
    assertExpect(1).not.toBe(2);
    assertExpect({ a: 1 }).not.toEqual({ a: 2 });
    assertExpect(undefined).not.toBeDefined();
  });

  it("fails with node:assert's AssertionError, saying what was expected", () => {
    fails(() => assertExpect(1).toBe(2), /strictly equal/);
    fails(() => assertExpect({ a: [1] }).toEqual({ a: [2] }), /strictly deep-equal/);
    fails(() => assertExpect({ a: 1 }).toMatchObject({ a: 2 }), /expected \{ a: 1 \} to match the object \{ a: 2 \}/);
    fails(() => assertExpect("text").toBeInstanceOf(Date), /to be an instance of Date/);
    fails(() => assertExpect(1).toBeGreaterThan(1), /expected 1 to be greater than 1/);
    fails(() => assertExpect([1]).toContain(2), /to contain 2/);
    fails(() => assertExpect(5).not.toBeGreaterThan(1), /expected 5 not to be greater than 1/);
    fails(() => assertExpect(1).not.toBe(1), /Expected "actual" to be strictly unequal/);
  });
});

describe("resolveRunner", () => {
  const body = async () => {};

  it("takes node:test's before/after and, without an expect, node:assert's", () => {
    const calls: string[] = [];
    const test = Object.assign((name: string) => void calls.push(`it ${name}`), { skip: (name: string) => void calls.push(`skip ${name}`) });
    const runner: TestRunner = {
      describe: (name, fn) => {
        calls.push(`describe ${name}`);
        fn();
      },
      it: test,
      before: () => void calls.push("before"),
      after: () => void calls.push("after"),
    };
    const resolved = resolveRunner(runner);
    resolved.describe("suite", () => {
      resolved.beforeAll(body);
      resolved.it("a", body);
      resolved.skip("b", body);
      resolved.afterAll(body);
    });
    expect(calls).toEqual(["describe suite", "before", "it a", "skip b", "after"]);
    expect(resolved.expect).toBe(assertExpect);
  });

  it("passes a case's timeout to it() only when there is one", () => {
    const seen: unknown[][] = [];
    const test = Object.assign((...args: unknown[]) => void seen.push(args), { skip: () => {} });
    const resolved = resolveRunner({ describe: () => {}, it: test, beforeAll: () => {}, afterAll: () => {} });
    resolved.it("plain", body);
    resolved.it("long", body, 180_000);
    expect(seen.map((args) => args.length)).toEqual([2, 3]);
    expect(seen[1]![2]).toBe(180_000);
  });

  it("refuses a runner without describe, it.skip or the hooks, naming what it needs", () => {
    const test = Object.assign(() => {}, { skip: () => {} });
    expect(() => resolveRunner({ describe: () => {}, it: test } as TestRunner)).toThrow(/beforeAll\/afterAll \(before\/after for node:test\)/);
    expect(() => resolveRunner({ describe: () => {}, it: () => {}, beforeAll: () => {}, afterAll: () => {} } as unknown as TestRunner)).toThrow(TypeError);
    expect(() => resolveRunner(undefined as unknown as TestRunner)).toThrow(/needs the test runner's describe/);
  });
});
