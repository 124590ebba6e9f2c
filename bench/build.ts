import { mkdirSync, mkdtempSync } from "node:fs";
import { join } from "node:path";
import { build } from "tsup";

/**
 * Compiles the child and server entry points to plain JS once per run, so each of the hundreds
 * of child processes starts in ~0.1 s instead of paying tsx's on-the-fly compile (~0.8 s).
 * Packages stay external: the children load the project's node_modules.
 */
export async function buildBench(root: string, entries: Record<string, string>): Promise<string> {
  // Inside the project (.tmp/ is git-ignored) so bare imports resolve to its node_modules.
  mkdirSync(join(root, ".tmp"), { recursive: true });
  const outDir = mkdtempSync(join(root, ".tmp", "bench-"));
  await build({
    config: false,
    entry: entries,
    outDir,
    format: ["esm"],
    platform: "node",
    target: "node20",
    sourcemap: true,
    dts: false,
    clean: false,
    splitting: true,
    skipNodeModulesBundle: true,
    silent: true,
    outExtension: () => ({ js: ".mjs" }),
  });
  return outDir;
}
