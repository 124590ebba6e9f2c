#!/usr/bin/env node
/**
 * `npm test`'s pretest: builds dist/ unless it was built from exactly the files it would be built
 * from now (a fingerprint of src/, proto/ and the build's config, kept beside node_modules). A
 * fresh `npm install` or `npm ci` has just built through `prepare`, so the tests do not wait for
 * a second identical build; any edit since then rebuilds.
 *
 *   node scripts/build.mjs           build if stale (pretest)
 *   node scripts/build.mjs --force   build (npm run build, and so prepare)
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
// Keyed by the checkout's path: a clone may share this node_modules by a symlink (the pack test).
const stampFile = join(root, "node_modules", ".cache", "switchyard-events", `dist-${createHash("sha256").update(root).digest("hex").slice(0, 16)}`);
const INPUTS = ["src", "proto", "package.json", "tsup.config.ts", "tsconfig.json"];

/** Every file of the inputs, sorted, so the fingerprint does not depend on directory order. */
function inputFiles() {
  return INPUTS.flatMap((input) => {
    const full = join(root, input);
    if (!existsSync(full)) return [];
    if (!statSync(full).isDirectory()) return [full];
    return readdirSync(full, { withFileTypes: true, recursive: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath ?? entry.path, entry.name));
  }).sort();
}

function fingerprint() {
  const hash = createHash("sha256");
  for (const file of inputFiles()) hash.update(relative(root, file)).update("\0").update(readFileSync(file)).update("\0");
  return hash.digest("hex");
}

// Taken before building, so an edit made while tsup runs leaves dist/ marked stale.
const current = fingerprint();
const built = existsSync(stampFile) && existsSync(join(root, "dist", "index.js")) ? readFileSync(stampFile, "utf8") : "";
if (!process.argv.includes("--force") && built === current) {
  console.log("dist/ was built from these exact sources (by the last install or build): not rebuilding");
} else {
  const result = spawnSync(join(root, "node_modules", ".bin", "tsup"), { cwd: root, stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
  mkdirSync(dirname(stampFile), { recursive: true });
  writeFileSync(stampFile, current);
}
