export { runConformanceSuite, type ConformanceOptions } from "./conformance/index.js";
export type { TestRunner } from "./runner/test-runner.js";
export type { Assertion, Expect, Matchers } from "./runner/expect.js";
export * from "./specs/index.js";
