export { deciderSpec, type DeciderExpectation, type DeciderSpec, type DeciderSpecOptions } from "./decider-spec.js";
export { projectionSpec, type ProjectionFixture, type ProjectionGivenEvent, type ProjectionSpec } from "./projection-spec.js";
export type { GivenEvent } from "./spec-support.js";
