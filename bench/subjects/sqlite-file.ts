import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A fresh database file per subject instance, removed on close. Every SQLite subject of a run
 * uses the same `synchronous` setting (NORMAL, the adapter's default) so the ratios compare code.
 */
export function benchDatabaseFile(label: string): { readonly path: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `switchyard-bench-${label}-`));
  return { path: join(dir, "events.db"), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export const BENCH_SYNCHRONOUS = "normal";
