// docs/observability.md's example runs as a user runs it (tsx, its own process) and prints the
// spans of one command and one projection batch; the page quotes the example's code verbatim.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const example = join(root, "examples", "observability.ts");

describe("docs/observability.md", () => {
  it("quotes examples/observability.ts verbatim, so the code shown is the code tested", () => {
    const source = readFileSync(example, "utf8");
    const match = /\/\/ #region observability\n([\s\S]*?)\/\/ #endregion observability/.exec(source);
    expect(match, "the example's region").not.toBeNull();
    expect(readFileSync(join(root, "docs", "observability.md"), "utf8")).toContain(match![1]!);
  });

  it("the example runs and prints the command's and the projection's spans to the console", () => {
    const env = { ...process.env, SWITCHYARD_URL: "memory:" };
    const out = execFileSync(process.execPath, ["--import", "tsx", example], { cwd: root, encoding: "utf8", env, timeout: 20_000 });
    const names = [...out.matchAll(/^ {2}name: '([^']+)',$/gm)].map((m) => m[1]);
    for (const name of ["handle counter-{id}", "attempt", "load counter-{id}", "read counter-{id}", "decide", "append counter-{id}", "process totals"]) {
      expect(names, `span "${name}" in the output`).toContain(name);
    }
    expect(out).toContain("'messaging.operation.type': 'send'");
    expect(out).toContain("totals: { 'counter-1': 10 }");
  });
});
