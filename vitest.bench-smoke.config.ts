import { defineConfig } from "vitest/config";

/** `npm run test:bench-smoke`: the tiny benchmark run, apart from the unit suite (see .ci/run). */
export default defineConfig({
  test: {
    include: ["test/bench/**/*.test.ts"],
    testTimeout: 300_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
