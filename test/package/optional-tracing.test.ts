/**
 * `@opentelemetry/api` is an optional peer: the built package never loads it unless tracing is
 * configured, even through command handling, projections and subscriptions; configured, it is.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const name = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { name: string }).name;

/** Runs a command, a projection and a subscription on memory in a fresh CJS process; returns the loaded OpenTelemetry files. */
function loadedOtelFiles(connectOptions: string): string[] {
  const out = execFileSync(
    process.execPath,
    [
      "-e",
      `const s = require(${JSON.stringify(name)});
       (async () => {
         const store = await s.connect("memory:", ${connectOptions});
         const decider = { initialState: 0, evolve: (n) => n + 1, decide: () => [{ type: "Added", data: {} }] };
         await s.createCommandHandler({ eventStream: store, decider }).handle("counter-1", { type: "Add" });
         const projection = s.createProjection({ name: "p", source: { category: "counter" }, handlers: { Added: () => {} } }, { eventStream: store });
         await projection.start();
         await projection.waitUntilCaughtUp(10000);
         await projection.stop();
         for await (const _ of store.read("counter-1")) {}
         await store.close();
         console.log(JSON.stringify(Object.keys(require.cache).filter((f) => f.includes("@opentelemetry"))));
       })().catch((error) => { console.error(error); process.exit(1); });`,
    ],
    { cwd: root, encoding: "utf8" },
  );
  return JSON.parse(out) as string[];
}

describe("tracing is optional", () => {
  it("without tracing, @opentelemetry/api is never loaded (CJS require cache)", () => {
    expect(loadedOtelFiles("{}")).toEqual([]);
  });

  it("with tracing configured, it is loaded (so the check above can fail)", () => {
    expect(loadedOtelFiles("{ tracing: true }").some((f) => f.includes("node_modules/@opentelemetry/api/"))).toBe(true);
  });

  it("no built entry imports it statically: only createTracing() imports it, dynamically", () => {
    for (const file of ["index.js", "index.cjs"]) {
      const code = readFileSync(join(root, "dist", file), "utf8");
      expect(code).not.toMatch(/^import [^;]*["']@opentelemetry\//m);
      expect(code).not.toMatch(/require\(["']@opentelemetry\//);
    }
  });
});
