import type { CellResult, SubjectName } from "./types.js";

/** A ratio of events/s, numerator over denominator, computed per round then the median taken. */
export interface RatioSpec {
  /** Dotted path in the `ratios` object, e.g. "memVsEmmett.1x100k". */
  readonly key: string;
  readonly numerator: { readonly subject: SubjectName; readonly workload: string };
  readonly denominator: { readonly subject: SubjectName; readonly workload: string };
  /** The target the ratio must reach (≥); undefined for informational ratios. */
  readonly target?: number;
}

export interface RatioResult extends RatioSpec {
  readonly median: number | null;
  readonly min: number | null;
  readonly max: number | null;
  readonly rounds: number;
  readonly met: boolean | null;
  /** Why the ratio could not be computed. */
  readonly missing?: string;
  /** Set when the sides were compared over part of the work only. */
  readonly comparedOver?: string;
}

const same = (subject: SubjectName, other: SubjectName, workload: string, key: string, target?: number): RatioSpec => ({
  key,
  numerator: { subject, workload },
  denominator: { subject: other, workload },
  ...(target === undefined ? {} : { target }),
});

const GATED_ESDB = ["append-batch-10", "append-batch-100", "read-100", "read-10k"];
const GATED_ENSIGN = ["append-1", "append-batch-10", "append-batch-100", "concurrent-8"];
/** Issue 14: appends 1/10/100 and read 10k against raw better-sqlite3 (≥ 0.6) and Emmett's SQLite store (≥ 2), same synchronous setting. */
const GATED_SQLITE = ["append-1", "append-batch-10", "append-batch-100", "read-10k"];
const camel = (id: string) => id.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Every ratio reported, targets as set in issue 6; the gated subsets were fixed before any run. */
export function ratioSpecs(workloads: readonly string[]): RatioSpec[] {
  const specs: RatioSpec[] = [
    same("ours-mem", "emmett-mem", "shape-1x100k", "memVsEmmett.1x100k", 10),
    same("ours-mem", "emmett-mem", "shape-1kx100", "memVsEmmett.1kx100", 1),
    same("ours-mem", "emmett-mem", "shape-100kx1", "memVsEmmett.100kx1", 1),
    same("ours-mem", "floor", "append-1", "memVsFloor", 0.2),
    {
      key: "ensignWindowedVsAwaitEach",
      numerator: { subject: "ours-ensign", workload: "append-batch-100" },
      denominator: { subject: "ours-ensign", workload: "append-1" },
      target: 5,
    },
    {
      key: "snapshotSpeedup",
      numerator: { subject: "ours-mem", workload: "load-10k-snapshot" },
      denominator: { subject: "ours-mem", workload: "load-10k" },
      target: 20,
    },
  ];
  for (const w of workloads) {
    const gatedEsdb = GATED_ESDB.includes(w);
    specs.push(same("ours-esdb", "esdb-raw", w, `esdbVsRaw.${camel(w)}`, gatedEsdb ? 0.95 : undefined));
    specs.push(same("ours-ensign", "ensign-raw", w, `ensignVsRaw.${camel(w)}`, GATED_ENSIGN.includes(w) ? 0.9 : undefined));
    if (!w.startsWith("shape-")) specs.push(same("ours-sqlite", "sqlite-raw", w, `sqliteVsRaw.${camel(w)}`, GATED_SQLITE.includes(w) ? 0.6 : undefined));
    if (!w.startsWith("shape-")) specs.push(same("ours-sqlite", "emmett-sqlite", w, `sqliteVsEmmettSqlite.${camel(w)}`, GATED_SQLITE.includes(w) ? 2 : undefined));
    if (!w.startsWith("shape-")) specs.push(same("ours-mem", "emmett-mem", w, `memVsEmmettByWorkload.${camel(w)}`));
    if (w !== "append-1") specs.push(same("ours-mem", "floor", w, `memVsFloorByWorkload.${camel(w)}`));
  }
  return specs;
}

export function computeRatio(spec: RatioSpec, cells: readonly CellResult[]): RatioResult {
  const byRound = (subject: SubjectName, workload: string) =>
    new Map(cells.filter((c) => c.subject === subject && c.workload === workload).map((c) => [c.round, c]));
  const top = byRound(spec.numerator.subject, spec.numerator.workload);
  const bottom = byRound(spec.denominator.subject, spec.denominator.workload);
  const values: number[] = [];
  let shortest: number | undefined;
  for (const [round, a] of top) {
    const b = bottom.get(round);
    if (b === undefined) continue;
    const value = pairRatio(a, b);
    if (value === undefined) continue;
    values.push(value.ratio);
    if (value.fraction !== undefined) shortest = Math.min(shortest ?? 1, value.fraction);
  }
  if (values.length === 0) {
    const absent = top.size === 0 ? spec.numerator : spec.denominator;
    return {
      ...spec,
      median: null,
      min: null,
      max: null,
      rounds: 0,
      met: null,
      missing: `no ${absent.subject} × ${absent.workload} results`,
    };
  }
  const m = median(values);
  return {
    ...spec,
    median: m,
    min: Math.min(...values),
    max: Math.max(...values),
    rounds: values.length,
    met: spec.target === undefined ? null : m >= spec.target,
    ...(shortest === undefined
      ? {}
      : { comparedOver: `the first ${Math.round(shortest * 100)}% of the work (a side hit its time budget)` }),
  };
}

/**
 * events/s of a over events/s of b. When either stopped at its time budget on the same
 * workload, both are compared over the same leading part of the work (their `progress`
 * checkpoints), since a store whose appends slow down as it grows would look faster over a
 * shorter run.
 */
function pairRatio(a: CellResult, b: CellResult): { ratio: number; fraction?: number } | undefined {
  if (b.eventsPerSec <= 0) return undefined;
  const truncated = a.truncatedAt !== undefined || b.truncatedAt !== undefined;
  if (!truncated || a.workload !== b.workload || !a.progress || !b.progress) return { ratio: a.eventsPerSec / b.eventsPerSec };
  const k = Math.min(a.progress.length, b.progress.length);
  if (k === 0) return undefined;
  // Same workload and family: the same number of operations lies behind checkpoint k on both sides.
  return { ratio: b.progress[k - 1]! / a.progress[k - 1]!, fraction: k / 100 };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Nests "a.b" keys into { a: { b: value } }. */
export function nestRatios(results: readonly RatioResult[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const r of results) {
    const parts = r.key.split(".");
    let node = out;
    for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
    node[parts[parts.length - 1]!] = r.median;
  }
  return out;
}
