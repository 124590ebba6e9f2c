import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A directory for one test file's databases, removed by `remove()`. */
export function tempDirectory(label: string): { readonly dir: string; file(name: string): string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `switchyard-sqlite-${label}-`));
  return {
    dir,
    file: (name) => join(dir, name),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
