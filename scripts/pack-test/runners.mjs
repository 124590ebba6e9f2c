import { readFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "./shell.mjs";

/**
 * Runs app/<runner>/ under node:test, vitest and jest. Each registers the conformance suite on
 * the memory adapter and the given/when/then specs; returns the counts each runner reported.
 */
export const RUNNERS = {
  "node:test": (appDir) => {
    const tap = run(process.execPath, ["--test", "--test-reporter=tap", "node-test/conformance.test.mjs"], { cwd: appDir });
    const count = (word) => Number(new RegExp(`^# ${word} (\\d+)$`, "m").exec(tap)?.[1] ?? NaN);
    return { passed: count("pass"), skipped: count("skipped"), failed: count("fail") + count("cancelled") };
  },
  vitest: (appDir, outDir) => {
    const report = join(outDir, "vitest.json");
    run(join(appDir, "node_modules/.bin/vitest"), ["run", "--root", "vitest", "--reporter=json", `--outputFile=${report}`], { cwd: appDir });
    return countsOf(report);
  },
  jest: (appDir, outDir) => {
    const report = join(outDir, "jest.json");
    run(join(appDir, "node_modules/.bin/jest"), ["--ci", "--no-watchman", "--rootDir", "jest", "--json", `--outputFile=${report}`], { cwd: appDir });
    return countsOf(report);
  },
};

/** vitest's JSON report has jest's shape. */
function countsOf(file) {
  const report = JSON.parse(readFileSync(file, "utf8"));
  return { passed: report.numPassedTests, skipped: report.numPendingTests + (report.numTodoTests ?? 0), failed: report.numFailedTests };
}
