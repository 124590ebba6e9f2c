import * as vitest from "vitest";
import { createMemoryEventStream } from "../../src/adapters/memory/index.js";
import { runConformanceSuite } from "../../src/testing/index.js";

runConformanceSuite(vitest, {
  name: "memory",
  capabilities: createMemoryEventStream().capabilities,
  create: () => createMemoryEventStream(),
});
