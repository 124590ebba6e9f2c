import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** What the app installs besides what the guide says: the type checker and the three runners. */
const TOOLS = ["typescript", "@types/node", "vitest", "jest", "@jest/globals"];

const readJson = (file) => JSON.parse(readFileSync(file, "utf8"));

/**
 * A user's project around the tarball: the guide's install command (at the versions the
 * repository's lockfile holds, so the npm cache has them), the optional peers every subpath
 * needs, the guide's example code importing the package by name, and one program per format
 * that imports every subpath export.
 */
export function createApp({ appDir, source, tarball, fixtures }) {
  cpSync(fixtures, appDir, { recursive: true });
  const pkg = readJson(join(source, "package.json"));
  const lock = readJson(join(source, "package-lock.json"));
  const locked = (name) => {
    const version = lock.packages[`node_modules/${name}`]?.version;
    if (!version) throw new Error(`${name} is not in package-lock.json, so the npm cache may not hold it`);
    return version;
  };
  const guide = readFileSync(join(source, "docs/guide.md"), "utf8");
  const dependencies = {};
  for (const name of guideInstall(guide)) dependencies[name] = name === pkg.name ? `file:${tarball}` : locked(name);
  for (const peer of Object.keys(pkg.peerDependencies ?? {})) dependencies[peer] ??= locked(peer);
  const devDependencies = Object.fromEntries(TOOLS.map((name) => [name, locked(name)]));
  const app = { name: "switchyard-pack-test-app", private: true, type: "module", dependencies, devDependencies, overrides: pkg.overrides };
  writeFileSync(join(appDir, "package.json"), `${JSON.stringify(app, null, 2)}\n`);
  copyGuide(source, join(appDir, "guide"), pkg.name, guide);
  writeSubpathPrograms(join(appDir, "types"), subpathSpecifiers(pkg));
  return app;
}

/** The packages of the guide's `npm install …` line. */
function guideInstall(guide) {
  const match = /^npm install ([^\n`]+)$/m.exec(guide);
  if (!match) throw new Error("docs/guide.md has no `npm install …` line");
  return match[1].split(/\s+/).filter((word) => word && !word.startsWith("-"));
}

/** examples/guide/*.ts with the package's name for its source imports; only modules the guide names. */
function copyGuide(source, target, name, guide) {
  mkdirSync(target, { recursive: true });
  const named = new Set([...guide.matchAll(/\bfrom "([^".][^"]*)"/g)].map((m) => m[1]));
  const dir = join(source, "examples/guide");
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
    const code = readFileSync(join(dir, file), "utf8")
      .replaceAll('"../../src/index.js"', JSON.stringify(name))
      .replaceAll('"../../src/testing/index.js"', JSON.stringify(`${name}/testing`));
    for (const [, specifier] of code.matchAll(/\bfrom "([^"]+)"/g)) {
      if (specifier.startsWith("./")) continue;
      if (!named.has(specifier)) throw new Error(`examples/guide/${file} imports "${specifier}", which docs/guide.md does not name`);
    }
    writeFileSync(join(target, file), code);
  }
}

function writeSubpathPrograms(target, specifiers) {
  mkdirSync(target, { recursive: true });
  const list = `export const modules = [${specifiers.map((_, i) => `m${i}`).join(", ")}] as const;\n`;
  const esm = specifiers.map((s, i) => `import * as m${i} from ${JSON.stringify(s)};`).join("\n");
  const cjs = specifiers.map((s, i) => `import m${i} = require(${JSON.stringify(s)});`).join("\n");
  writeFileSync(join(target, "subpaths.ts"), `// Generated: every subpath export, as ESM.\n${esm}\n${list}`);
  writeFileSync(join(target, "subpaths.cts"), `// Generated: every subpath export, as CommonJS.\n${cjs}\n${list}`);
}

/** The name to import each subpath export by. */
export function subpathSpecifiers(pkg) {
  return Object.keys(pkg.exports)
    .filter((p) => p !== "./package.json")
    .map((p) => (p === "." ? pkg.name : `${pkg.name}/${p.slice(2)}`));
}
