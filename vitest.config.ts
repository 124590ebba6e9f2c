import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The bench smoke run spawns every benchmark child process (about a minute): it runs as its own
    // step in .ci/run with its own limit (`npm run test:bench-smoke`), not inside the unit suite.
    exclude: ["test/bench/**", "**/node_modules/**"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
