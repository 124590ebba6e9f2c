import * as vitest from "vitest";
import { createSqliteEventStream, sqliteCapabilities } from "../../src/adapters/sqlite/index.js";
import { runConformanceSuite } from "../../src/testing/index.js";
import { tempDirectory } from "./temp-files.js";

// Every client of the suite opens the same file, as clients of a server share its store.
const temp = tempDirectory("conformance");

runConformanceSuite(vitest, {
  name: "sqlite",
  capabilities: sqliteCapabilities(),
  create: () => createSqliteEventStream({ path: temp.file("events.db") }),
  cleanup: () => temp.remove(),
});
