import { assertExpect } from "./assert-expect.js";
import type { Expect } from "./expect.js";

type CaseBody = () => Promise<void>;
type Hook = () => Promise<void> | void;

/**
 * The functions of a test runner that the conformance suite registers its cases with. What
 * vitest, jest and node:test export fits as it is: `import * as vitest from "vitest"`, jest's
 * globals `{ describe, it, beforeAll, afterAll, expect }`, or `import * as nodeTest from "node:test"`.
 */
export interface TestRunner {
  readonly describe: (name: string, body: () => void) => unknown;
  /** Called as `it(name, body, timeoutMs)`: vitest and jest take the timeout, node:test has none by default. */
  readonly it: {
    (name: string, body: CaseBody, timeoutMs?: number): unknown;
    readonly skip: (name: string, body: CaseBody) => unknown;
  };
  readonly beforeAll?: (hook: Hook) => unknown;
  readonly afterAll?: (hook: Hook) => unknown;
  /** node:test's names for `beforeAll`/`afterAll`. */
  readonly before?: (hook: Hook) => unknown;
  readonly after?: (hook: Hook) => unknown;
  /** A jest/vitest-compatible `expect`; without one the suite asserts with node:assert. */
  readonly expect?: Expect;
}

/** A runner with every function the suite calls, whichever names it came with. */
export interface ResolvedRunner {
  describe(name: string, body: () => void): void;
  it(name: string, body: CaseBody, timeoutMs?: number): void;
  skip(name: string, body: CaseBody): void;
  beforeAll(hook: Hook): void;
  afterAll(hook: Hook): void;
  readonly expect: Expect;
}

export function resolveRunner(runner: TestRunner): ResolvedRunner {
  const beforeAll = runner?.beforeAll ?? runner?.before;
  const afterAll = runner?.afterAll ?? runner?.after;
  if (typeof runner?.describe !== "function" || typeof runner.it !== "function" || typeof runner.it.skip !== "function" || !beforeAll || !afterAll) {
    throw new TypeError(
      "runConformanceSuite(runner, options) needs the test runner's describe, it (with it.skip) and beforeAll/afterAll " +
        '(before/after for node:test), e.g. `import * as vitest from "vitest"` or `import * as nodeTest from "node:test"`',
    );
  }
  return {
    // Called as methods of what was handed in: some runners' functions read `this`.
    describe: (name, body) => void runner.describe(name, body),
    it: (name, body, timeoutMs) => void (timeoutMs === undefined ? runner.it(name, body) : runner.it(name, body, timeoutMs)),
    skip: (name, body) => void runner.it.skip(name, body),
    beforeAll: (hook) => void beforeAll.call(runner, hook),
    afterAll: (hook) => void afterAll.call(runner, hook),
    expect: runner.expect ?? assertExpect,
  };
}
