import { existsSync } from "node:fs";
import { defineConfig } from "tsup";

// One entry per subpath export. Adapter entries join as their folders land.
const entries: Record<string, string> = {
  index: "src/index.ts",
  memory: "src/adapters/memory/index.ts",
  testing: "src/testing/index.ts",
  eventstoredb: "src/adapters/eventstoredb/index.ts",
  ensign: "src/adapters/ensign/index.ts",
  postgres: "src/adapters/postgres/index.ts",
  sqlite: "src/adapters/sqlite/index.ts",
  nats: "src/adapters/nats/index.ts",
  servers: "src/servers/index.ts",
  cli: "src/cli/index.ts",
};

export default defineConfig({
  entry: Object.fromEntries(Object.entries(entries).filter(([, file]) => existsSync(file))),
  format: ["esm", "cjs"],
  dts: true,
  // No source maps: they would point at src/, which is not shipped, and dist/ is not minified.
  sourcemap: false,
  clean: true,
  splitting: true,
  treeshake: true,
  target: "node20",
  external: [
    "@eventstore/db-client",
    "@grpc/grpc-js",
    "protobufjs",
    "pg",
    "better-sqlite3",
    "@nats-io/transport-node",
    "@nats-io/jetstream",
    "@opentelemetry/api",
  ],
});
