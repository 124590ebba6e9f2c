export { runConformanceSuite, type ConformanceOptions } from "./conformance/index.js";
export * from "./specs/index.js";
