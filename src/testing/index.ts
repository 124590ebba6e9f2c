export { runConformanceSuite, type ConformanceOptions } from "./conformance/index.js";
