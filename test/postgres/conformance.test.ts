import * as vitest from "vitest";
import { createPostgresEventStream, postgresCapabilities } from "../../src/adapters/postgres/index.js";
import { runConformanceSuite } from "../../src/testing/index.js";
import { dropSchemas, SHARED_URL, uniqueSchema, urlWithSchema } from "./schema.js";

const schema = uniqueSchema("conformance");

runConformanceSuite(vitest, {
  name: "postgres",
  capabilities: postgresCapabilities,
  create: () => createPostgresEventStream({ connection: urlWithSchema(SHARED_URL, schema) }),
  cleanup: () => dropSchemas(SHARED_URL, [schema]),
});
