#!/usr/bin/env node
/**
 * The package as a user gets it: packs switchyard-events from a fresh clone (so `prepare` must
 * build dist/), installs the tarball into a temporary project from the npm cache the repository's
 * install filled, and there imports every subpath as ESM and CJS, type-checks the guide's example
 * and a typed program under moduleResolution node16 and bundler, runs the guide's steps, and runs
 * the conformance suite on memory under node:test, vitest and jest.
 *
 *   node scripts/pack-test.mjs [--worktree] [--npm-ci] [--keep]
 *
 * --worktree  pack the working tree's files instead of a clone of HEAD (to try uncommitted work)
 * --npm-ci    `npm ci` in the clone instead of linking this checkout's node_modules (slower)
 * --keep      leave the temporary directory for inspection
 *
 * jest and @jest/globals are devDependencies of the repository only so that `npm ci` puts them,
 * with vitest and typescript, in the npm cache this test installs from.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createApp, subpathSpecifiers } from "./pack-test/app.mjs";
import { RUNNERS } from "./pack-test/runners.mjs";
import { kilobytes, run, seconds, step } from "./pack-test/shell.mjs";
import { checkContents, pack } from "./pack-test/tarball.mjs";

const flags = new Set(process.argv.slice(2));
const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const started = performance.now();
const tmp = mkdtempSync(join(tmpdir(), "switchyard-pack-"));
const source = join(tmp, "source");
const appDir = join(tmp, "app");

let summary = "FAILED";
try {
  const head = run("git", ["rev-parse", "--short", "HEAD"], { cwd: repo }).trim();
  console.log(`pack test: ${flags.has("--worktree") ? `working tree on ${head}` : `fresh clone of ${head}`}, in ${tmp}`);
  await step("fresh source tree", () => {
    if (flags.has("--worktree")) return copyWorktree();
    run("git", ["clone", "--quiet", repo, source]);
    const dirty = run("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: repo }).trim();
    return dirty ? { note: "uncommitted changes are not in it; --worktree packs them" } : undefined;
  });
  // The clone's lockfile is this checkout's, so its installed node_modules serve the build;
  // --npm-ci installs them afresh (from the npm cache) at the cost of a minute or so.
  await step(flags.has("--npm-ci") ? "npm ci in the clone" : "link node_modules", () => {
    if (!flags.has("--npm-ci")) return symlinkSync(join(repo, "node_modules"), join(source, "node_modules"), "dir");
    run("npm", ["ci", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund"], { cwd: source });
  });
  const info = await step("npm pack (prepare builds dist/)", () => {
    if (existsSync(join(source, "dist"))) throw new Error("the fresh tree already has dist/");
    const packed = pack(source, tmp);
    return { ...packed, note: `${packed.filename}: ${kilobytes(packed.size)} packed, ${kilobytes(packed.unpackedSize)} unpacked, ${packed.entryCount} files` };
  });
  await step("tarball holds dist/ for every subpath, LICENSE, CHANGELOG, docs/, proto/, what the README links to; no maps or src/", () => {
    checkContents(info, source);
  });
  const pkg = JSON.parse(readFileSync(join(source, "package.json"), "utf8"));
  const app = await step("temporary project: npm install --prefer-offline --ignore-scripts", () => {
    mkdirSync(appDir);
    const created = createApp({ appDir, source, tarball: info.path, fixtures: join(repo, "scripts/pack-test/app") });
    // No install scripts: better-sqlite3's would compile SQLite again (two minutes), and nothing here
    // opens a database — the subpaths load it lazily, so importing and type-checking them needs none.
    run("npm", ["install", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund"], { cwd: appDir });
    return { ...created, note: Object.keys(created.dependencies).join(" ") };
  });
  await step("every subpath loads as ESM and as CJS, with the same exports", () => {
    const specifiers = JSON.stringify(subpathSpecifiers(pkg));
    const keys = (load) => `const out = {}; for (const s of ${specifiers}) out[s] = Object.keys(${load}).sort(); console.log(JSON.stringify(out));`;
    const esm = JSON.parse(run(process.execPath, ["--input-type=module", "-e", keys("await import(s)")], { cwd: appDir }));
    const cjs = JSON.parse(run(process.execPath, ["-e", keys("require(s)")], { cwd: appDir }));
    for (const [specifier, names] of Object.entries(esm)) {
      if (names.length === 0 || names.join() !== cjs[specifier].join()) {
        throw new Error(`${specifier}: ESM exports [${names}] but CJS exports [${cjs[specifier]}]`);
      }
    }
    return { note: Object.keys(esm).join(", ") };
  });
  const tsc = join(appDir, "node_modules/.bin/tsc");
  await step("tsc: the guide and every subpath, moduleResolution node16 (ESM and .cts), checking our .d.ts", () => run(tsc, ["-p", "tsconfig.node16.json"], { cwd: appDir }));
  await step("tsc: the same, moduleResolution bundler", () => run(tsc, ["-p", "tsconfig.bundler.json"], { cwd: appDir }));
  await step("tsc: vitest, jest and node:test fit runConformanceSuite", () => run(tsc, ["-p", "tsconfig.runners.json"], { cwd: appDir }));
  await step("the guide's steps run on memory", () => run(process.execPath, ["out/guide/run.js"], { cwd: appDir }));
  const counts = {};
  for (const [name, runner] of Object.entries(RUNNERS)) {
    counts[name] = await step(`conformance suite (memory) and specs under ${name}`, () => {
      const result = runner(appDir, tmp);
      return { ...result, note: `${result.passed} passed, ${result.skipped} skipped, ${result.failed} failed` };
    });
  }
  const [first, ...others] = Object.values(counts);
  if (first.failed !== 0 || !(first.passed > 0) || !(first.skipped > 0) || others.some((c) => c.passed !== first.passed || c.skipped !== first.skipped || c.failed !== 0)) {
    throw new Error(`Every runner must pass and skip the same cases, fail none and skip some: ${JSON.stringify(counts)}`);
  }
  summary = `passed: ${info.filename} ${kilobytes(info.size)} packed, ${kilobytes(info.unpackedSize)} unpacked; zod ${app.dependencies.zod}`;
} catch (error) {
  console.error(`\n${error instanceof Error ? error.message : error}`);
  if (!flags.has("--keep")) console.error("(run with --keep to inspect the temporary project)");
  process.exitCode = 1;
} finally {
  if (flags.has("--keep")) console.log(`kept ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
  console.log(`pack test ${summary} (${seconds(started)} in all)`);
}

function copyWorktree() {
  const files = run("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: repo }).split("\0").filter(Boolean);
  for (const file of files) if (existsSync(join(repo, file))) cpSync(join(repo, file), join(source, file));
  return { note: `${files.length} files` };
}
