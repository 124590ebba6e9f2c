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
    // vitest's default is one worker fewer than the cores: one on a 2-core machine, where most of
    // the suite waits on sockets and servers rather than the CPU. Two keeps both cores busy.
    maxWorkers: 2,
  },
});
