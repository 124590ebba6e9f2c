import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "./shell.mjs";

/** `npm pack` in `dir` (its `prepare` script builds dist/); returns npm's description of the tarball. */
export function pack(dir, destination) {
  const stdout = run("npm", ["pack", "--json", "--pack-destination", destination], { cwd: dir });
  // The build's own output may come first: the JSON is the array that ends stdout.
  const start = stdout.lastIndexOf("\n[\n") + 1;
  const [info] = JSON.parse(stdout.slice(start));
  return { ...info, path: join(destination, info.filename) };
}

/** What a user needs in the tarball; throws listing every file that is missing or should not be there. */
export function checkContents(info, source) {
  const files = new Set(info.files.map((f) => f.path));
  const pkg = JSON.parse(readFileSync(join(source, "package.json"), "utf8"));
  const required = ["package.json", "README.md", "LICENSE", "CHANGELOG.md"];
  // The pages; docs/api/ (npm run docs:api) is generated HTML and stays out of the package.
  for (const doc of readdirSync(join(source, "docs")).filter((f) => f.endsWith(".md"))) required.push(`docs/${doc}`);
  for (const subpath of Object.keys(pkg.exports).filter((p) => p !== "./package.json")) {
    const base = subpath === "." ? "dist/index" : `dist/${subpath.slice(2)}`;
    required.push(`${base}.js`, `${base}.cjs`, `${base}.d.ts`, `${base}.d.cts`);
  }
  required.push(...readmeLinks(source, pkg.name));
  const missing = [...new Set(required)].filter((file) => !files.has(file));
  const unwanted = [...files].filter((file) => file.endsWith(".map") || file.startsWith("src/") || file.startsWith("test/"));
  if (![...files].some((f) => f.startsWith("proto/") && f.endsWith(".proto"))) missing.push("proto/**/*.proto");
  if (missing.length > 0 || unwanted.length > 0) {
    throw new Error(`The tarball is incomplete or carries too much.\n  missing: ${missing.join(", ") || "-"}\n  unwanted: ${unwanted.join(", ") || "-"}`);
  }
  return files;
}

/** The package files the README links to, relatively or through a CDN that serves the published package. */
function readmeLinks(source, name) {
  const readme = readFileSync(join(source, "README.md"), "utf8");
  const cdn = new RegExp(`^https://cdn\\.jsdelivr\\.net/npm/${name}(?:@[^/]+)?/`);
  const targets = [];
  for (const [, href] of readme.matchAll(/\]\(([^)\s]+)\)/g)) {
    const path = href.split("#")[0];
    if (cdn.test(path)) targets.push(path.replace(cdn, ""));
    else if (path && !/^[a-z]+:/.test(path)) targets.push(path.replace(/^\.\//, ""));
  }
  if (targets.length === 0) throw new Error("README.md links to no documentation");
  return targets;
}
