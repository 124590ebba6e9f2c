import type { CellResult, SubjectName } from "./types.js";

/** A ratio of events/s (or of an extra figure), numerator over denominator, per round, then the median. */
export interface RatioSpec {
  /** Dotted path in the `ratios` object, e.g. "memVsJsonFloor.append1". */
  readonly key: string;
  readonly numerator: { readonly subject: SubjectName; readonly workload: string };
  readonly denominator: { readonly subject: SubjectName; readonly workload: string };
  /** The target the ratio must reach (≥); undefined for informational ratios. */
  readonly target?: number;
  /** What the ratio says, in one line, for the page. */
  readonly explain: string;
  /**
   * An extra figure where less is better (e.g. heap bytes per event): the ratio is then the
   * denominator's figure over the numerator's, so above 1 still means ours does better.
   */
  readonly lowerIsBetter?: string;
  /** Refuse to compare over part of the work: a side that stopped at its time budget leaves the ratio unmeasured. */
  readonly wholeWorkOnly?: boolean;
}

export interface RatioResult extends RatioSpec {
  readonly median: number | null;
  readonly min: number | null;
  readonly max: number | null;
  readonly rounds: number;
  /** Probability that the true median lies within [min, max]: 1 − 2^(1−rounds). */
  readonly confidence: number | null;
  /** Client CPU per event, denominator ÷ numerator (above 1: ours uses less), median over rounds. */
  readonly cpuRatio: number | null;
  readonly met: boolean | null;
  /** Why the ratio could not be computed. */
  readonly missing?: string;
  /** Set when the sides were compared over part of the work only. */
  readonly comparedOver?: string;
}

const camel = (id: string) => id.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

const versus = (subject: SubjectName, other: SubjectName, workload: string, key: string, explain: string, target?: number): RatioSpec => ({
  key,
  numerator: { subject, workload },
  denominator: { subject: other, workload },
  explain,
  ...(target === undefined ? {} : { target }),
});

const GATED_ESDB = ["append-batch-10", "append-batch-100", "read-100", "read-10k"];
const GATED_ENSIGN = ["append-1", "append-batch-10", "append-batch-100", "concurrent-8"];
/** Issue 14: appends 1/10/100 and read 10k against raw better-sqlite3 (≥ 0.6) and Emmett's SQLite store (≥ 2), same synchronous setting. */
const GATED_SQLITE = ["append-1", "append-batch-10", "append-batch-100", "read-10k"];
/** Issue 13: against raw node-postgres ≥ 0.8 and Emmett's PostgreSQL store ≥ 1.5 (appends) / ≥ 1.0 (reads). */
const PG_APPENDS = ["append-1", "append-batch-10", "append-batch-100", "concurrent-8"];
const PG_READS = ["read-10k"];
/** Issue 20: against a raw JetStream publisher, single node and three nodes. */
const NATS_GATED = ["append-1", "append-batch-10", "append-batch-100", "concurrent-8"];
/** Issue 12: our memory adapter against a store that keeps the same contract (JSON in, a copy out). */
const JSON_FLOOR_TARGETS: Record<string, number> = { "append-1": 0.5, "read-10k": 0.67, "fold-100": 0.67 };

const SIZES = ["1k", "10k", "100k"];

/** Every ratio reported; targets as the issues set them, fixed before any run. */
export function ratioSpecs(workloads: readonly string[]): RatioSpec[] {
  const has = new Set(workloads);
  const specs: RatioSpec[] = [];
  if (has.has("size-append-1m")) {
    specs.push({
      key: "memVsJsonFloor.heapBytes1m",
      numerator: { subject: "ours-mem", workload: "size-append-1m" },
      denominator: { subject: "json-floor", workload: "size-append-1m" },
      lowerIsBetter: "heapBytesPerEvent",
      target: 0.5,
      explain: "heap bytes per event after 1M appends, the JSON floor's over ours (≥ 0.5 means ours holds at most twice the floor's bytes)",
    });
  }
  for (const size of SIZES) {
    for (const [what, explain] of [
      ["append", "single-event appends to one stream of that size"],
      ["read", "reading one stream of that size whole (Emmett hands back its stored objects; ours parses a copy)"],
      ["fold", "one command (load, fold, append) on one stream of that size"],
    ] as const) {
      const workload = `size-${what}-${size}`;
      if (!has.has(workload)) continue;
      specs.push({
        ...versus("ours-mem", "emmett-mem", workload, `memVsEmmett.${what}.${size}`, `ours ÷ Emmett's in-memory store: ${explain}`, what === "append" && size !== "100k" ? 1 : undefined),
        wholeWorkOnly: true,
      });
      specs.push(versus("ours-mem", "json-floor", workload, `memVsJsonFloor.${what}.${size}`, `ours ÷ the JSON floor: ${explain}`));
    }
  }
  for (const w of workloads) {
    if (w.startsWith("size-") || w.startsWith("snapshots-")) continue;
    const c = camel(w);
    specs.push(versus("ours-mem", "json-floor", w, `memVsJsonFloor.${c}`, "ours ÷ a Map-and-array store keeping JSON text and returning parsed copies (the same contract as ours)", JSON_FLOOR_TARGETS[w]));
    specs.push(versus("ours-mem", "emmett-mem", w, `memVsEmmettByWorkload.${c}`, "ours ÷ Emmett's in-memory store (its reads return stored objects uncopied)"));
    specs.push(versus("ours-mem", "floor", w, `memVsObjectFloor.${c}`, "ours ÷ a Map of arrays keeping the caller's objects (no encoding, no copy): the ceiling of the process"));
    specs.push(versus("ours-esdb", "esdb-raw", w, `esdbVsRaw.${c}`, "ours ÷ @eventstore/db-client used directly, same server code", GATED_ESDB.includes(w) ? 0.95 : undefined));
    specs.push(versus("ours-ensign", "ensign-raw", w, `ensignVsRaw.${c}`, "ours (consistency=single-writer) ÷ the raw gRPC client, same server code", GATED_ENSIGN.includes(w) ? 0.9 : undefined));
    specs.push(versus("ours-ensign-default", "ensign-raw", w, `ensignDefaultVsRaw.${c}`, "ours in its default consistency mode ÷ the raw gRPC client", GATED_ENSIGN.includes(w) ? 0.5 : undefined));
    specs.push(versus("ours-sqlite", "sqlite-raw", w, `sqliteVsRaw.${c}`, "ours ÷ better-sqlite3 used directly, same file settings", GATED_SQLITE.includes(w) ? 0.6 : undefined));
    specs.push(versus("ours-sqlite", "emmett-sqlite", w, `sqliteVsEmmettSqlite.${c}`, "ours ÷ Emmett's SQLite store, same file settings", GATED_SQLITE.includes(w) ? 2 : undefined));
    specs.push(versus("ours-pg", "pg-raw", w, `pgVsRaw.${c}`, "ours ÷ node-postgres used directly (one statement per append), same server", PG_APPENDS.includes(w) || PG_READS.includes(w) ? 0.8 : undefined));
    specs.push(versus("ours-nats", "nats-raw", w, `natsVsRaw.${c}`, "ours ÷ a raw @nats-io/jetstream publisher with the same expectation per event, machine's single node", NATS_GATED.includes(w) ? 0.8 : undefined));
    specs.push(versus("ours-nats3", "nats3-raw", w, `nats3VsRaw.${c}`, "ours ÷ the raw publisher, three-node cluster, stream with 3 replicas", NATS_GATED.includes(w) ? 0.8 : undefined));
    specs.push(
      versus("ours-pg", "emmett-pg", w, `pgVsEmmettPg.${c}`, "ours ÷ Emmett's PostgreSQL store, same server", PG_APPENDS.includes(w) ? 1.5 : PG_READS.includes(w) ? 1 : undefined),
    );
  }
  return specs;
}

export function computeRatio(spec: RatioSpec, cells: readonly CellResult[]): RatioResult {
  const byRound = (subject: SubjectName, workload: string) =>
    new Map(cells.filter((c) => c.subject === subject && c.workload === workload).map((c) => [c.round, c]));
  const top = byRound(spec.numerator.subject, spec.numerator.workload);
  const bottom = byRound(spec.denominator.subject, spec.denominator.workload);
  const values: number[] = [];
  const cpu: number[] = [];
  let shortest: number | undefined;
  let partial = false;
  let unusable = false;
  for (const [round, a] of top) {
    const b = bottom.get(round);
    if (b === undefined) continue;
    if (spec.wholeWorkOnly && (a.truncatedAt !== undefined || b.truncatedAt !== undefined)) {
      partial = true;
      continue;
    }
    const value = spec.lowerIsBetter ? figureRatio(a, b, spec.lowerIsBetter) : pairRatio(a, b);
    if (value === undefined) {
      unusable = true;
      continue;
    }
    values.push(value.ratio);
    if (a.cpuUsPerEvent > 0) cpu.push(b.cpuUsPerEvent / a.cpuUsPerEvent);
    if (value.fraction !== undefined) shortest = Math.min(shortest ?? 1, value.fraction);
  }
  if (values.length === 0) {
    const absent = top.size === 0 ? spec.numerator : spec.denominator;
    const missing = partial
      ? `not measured to the same size: ${spec.denominator.subject} stopped at its time budget (its cost curve is in the size table)`
      : unusable
        ? `both sides ran, but ${spec.lowerIsBetter ?? "events/s"} gave no usable figure (e.g. a heap difference lost in noise on a tiny run)`
        : `no ${absent.subject} × ${absent.workload} results`;
    return { ...spec, median: null, min: null, max: null, rounds: 0, confidence: null, cpuRatio: null, met: null, missing };
  }
  const m = median(values);
  return {
    ...spec,
    median: m,
    min: Math.min(...values),
    max: Math.max(...values),
    rounds: values.length,
    confidence: 1 - 2 ** (1 - values.length),
    cpuRatio: spec.lowerIsBetter || cpu.length === 0 ? null : median(cpu),
    met: spec.target === undefined ? null : m >= spec.target,
    ...(shortest === undefined
      ? {}
      : { comparedOver: `the first ${Math.round(shortest * 100)}% of the work (a side hit its time budget)` }),
  };
}

/** b's figure over a's, for figures where less is better. */
function figureRatio(a: CellResult, b: CellResult, figure: string): { ratio: number; fraction?: number } | undefined {
  const ours = a.extra?.[figure];
  const theirs = b.extra?.[figure];
  if (ours === undefined || theirs === undefined || ours <= 0) return undefined;
  return { ratio: theirs / ours };
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
