/**
 * Checks the built package in dist/ (npm test builds first): every subpath resolves from both
 * ESM and CJS, and the root entry loads no gRPC library.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  name: string;
  exports: Record<string, unknown>;
};
const subpaths = Object.keys(pkg.exports).filter((p) => p !== "./package.json");
const built = (subpath: string) => existsSync(join(root, "dist", `${subpath === "." ? "index" : subpath.slice(2)}.js`));
const DRIVERS = ["@grpc/grpc-js", "@eventstore/db-client", "protobufjs", "google-protobuf"];

function node(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: root, encoding: "utf8" });
}

describe("the built package", () => {
  it("builds every subpath export it declares (core ones always)", () => {
    for (const subpath of [".", "./memory", "./testing"]) expect(built(subpath), subpath).toBe(true);
    for (const subpath of subpaths) {
      const file = subpath === "." ? "index" : subpath.slice(2);
      if (built(subpath)) expect(existsSync(join(root, "dist", `${file}.cjs`)), `${file}.cjs`).toBe(true);
    }
  });

  it.each(subpaths)("%s resolves by package name from ESM and from CJS", (subpath) => {
    if (!built(subpath)) throw new Error(`dist has no build for ${subpath}: run npm run build`);
    const specifier = subpath === "." ? pkg.name : `${pkg.name}/${subpath.slice(2)}`;
    const esm = node(["--input-type=module", "-e", `const m = await import(${JSON.stringify(specifier)}); console.log(Object.keys(m).length)`]);
    expect(Number(esm)).toBeGreaterThan(0);
    const cjs = node(["-e", `const m = require(${JSON.stringify(specifier)}); console.log(Object.keys(m).length)`]);
    expect(Number(cjs)).toBe(Number(esm));
  });

  it("the testing entry imports no test runner: it is handed the runner's functions", () => {
    for (const file of ["testing.js", "testing.cjs"]) {
      const code = readFileSync(join(root, "dist", file), "utf8");
      for (const runner of ["vitest", "@jest/globals", "node:test"]) {
        expect(code, `${file} imports ${runner}`).not.toMatch(new RegExp(`^import .*["']${runner}["']|require\\(["']${runner}["']\\)`, "m"));
      }
    }
  });

  it("the root entry, connected to memory, loads no gRPC library (CJS require cache)", () => {
    const loaded = node([
      "-e",
      `const s = require(${JSON.stringify(pkg.name)});
       s.connect("memory:").then(async (store) => {
         await store.append("a-1", [{ type: "t", data: {} }]);
         await store.close();
         console.log(JSON.stringify(Object.keys(require.cache)));
       });`,
    ]);
    const files = JSON.parse(loaded) as string[];
    expect(files.some((f) => f.includes("memory-event-stream"))).toBe(true);
    for (const driver of DRIVERS) expect(files.filter((f) => f.includes(`node_modules/${driver}/`))).toEqual([]);
  });

  it("the servers entry loads no gRPC library until a server starts, then the CJS build serves", () => {
    const out = node([
      "-e",
      `const grpc = () => Object.keys(require.cache).filter((f) => /node_modules\\/(@grpc|@eventstore|protobufjs)\\//.test(f)).length;
       const s = require(${JSON.stringify(`${pkg.name}/servers`)});
       const before = grpc();
       s.startEventStoreDBServer().then(async (server) => {
         const after = grpc();
         await server.close();
         console.log(JSON.stringify({ before, after, url: server.url }));
       });`,
    ]);
    const { before, after, url } = JSON.parse(out) as { before: number; after: number; url: string };
    expect(before).toBe(0);
    expect(after).toBeGreaterThan(0);
    expect(url).toMatch(/^esdb:\/\/127\.0\.0\.1:\d+\?tls=false$/);
  });

  it("the root ESM entry imports no gRPC library, statically or through its chunks", () => {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const code = readFileSync(join(root, "dist", file), "utf8");
      for (const driver of DRIVERS) expect(code.includes(`from "${driver}`), `${file} imports ${driver}`).toBe(false);
      for (const match of code.matchAll(/(?:^|\n)import[^"']*["']\.\/([^"']+)["']/g)) visit(match[1]!);
    };
    visit("index.js");
    expect(seen.size).toBeGreaterThan(1);
  });
});
