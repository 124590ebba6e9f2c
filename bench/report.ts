import type { Environment } from "./env.js";
import { findingsFor } from "./findings.js";
import { computeRatio, median, nestRatios, ratioSpecs, type RatioResult } from "./ratios.js";
import { SUBJECTS, type CellResult, type Family, type SizeProfile, type SubjectName } from "./types.js";

export interface SubjectStatus {
  readonly family: Family;
  readonly included: boolean;
  /** Why a subject was left out of this run. */
  readonly reason?: string;
  readonly notes?: readonly string[];
}

export interface Failure {
  readonly subject: SubjectName;
  readonly workload: string;
  readonly round: number;
  readonly error: string;
}

export interface RunInfo {
  readonly mode: SizeProfile;
  readonly rounds: number;
  readonly seed: number;
  readonly environment: Environment;
  readonly durationSeconds: number;
  readonly subjects: Record<SubjectName, SubjectStatus>;
  readonly workloads: readonly { readonly id: string; readonly title: string; readonly unit: string }[];
  readonly cells: readonly CellResult[];
  readonly failures: readonly Failure[];
  readonly setup: readonly string[];
}

export interface Summary {
  readonly eventsPerSec: number;
  readonly opsPerSec: number;
  readonly p50Us: number | null;
  readonly p99Us: number | null;
  readonly cpuUsPerEvent: number;
  readonly serverCpuUsPerEvent: number | null;
  readonly eventsPerSecMin: number;
  readonly eventsPerSecMax: number;
  readonly rounds: number;
  readonly extra?: Record<string, number>;
  /** Rounds that stopped at the time budget, and the fewest operations any round completed. */
  readonly truncatedRounds?: number;
  readonly completedMin?: number;
}

/** Median over rounds of every metric of one (subject × workload). */
function summarise(cells: readonly CellResult[]): Summary {
  const of = (pick: (c: CellResult) => number | undefined): number | null => {
    const values = cells.map(pick).filter((v): v is number => v !== undefined);
    return values.length === 0 ? null : median(values);
  };
  const rates = cells.map((c) => c.eventsPerSec);
  const extraKeys = [...new Set(cells.flatMap((c) => Object.keys(c.extra ?? {})))];
  const extra = Object.fromEntries(extraKeys.map((k) => [k, of((c) => c.extra?.[k]) ?? 0]));
  return {
    eventsPerSec: median(rates),
    opsPerSec: median(cells.map((c) => c.opsPerSec)),
    p50Us: of((c) => c.p50Us),
    p99Us: of((c) => c.p99Us),
    cpuUsPerEvent: median(cells.map((c) => c.cpuUsPerEvent)),
    serverCpuUsPerEvent: of((c) => c.serverCpuUsPerEvent),
    eventsPerSecMin: Math.min(...rates),
    eventsPerSecMax: Math.max(...rates),
    rounds: cells.length,
    ...(extraKeys.length > 0 ? { extra } : {}),
    ...(cells.some((c) => c.truncatedAt !== undefined)
      ? { truncatedRounds: cells.filter((c) => c.truncatedAt !== undefined).length, completedMin: Math.min(...cells.map((c) => c.truncatedAt ?? c.events)) }
      : {}),
  };
}

export function buildReport(run: RunInfo) {
  const results: Partial<Record<SubjectName, Record<string, Summary>>> = {};
  for (const subject of SUBJECTS) {
    for (const workload of run.workloads) {
      const cells = run.cells.filter((c) => c.subject === subject && c.workload === workload.id);
      if (cells.length === 0) continue;
      (results[subject] ??= {})[workload.id] = summarise(cells);
    }
  }
  const ratioResults = ratioSpecs(run.workloads.map((w) => w.id))
    .map((spec) => computeRatio(spec, run.cells))
    .filter((r) => r.median !== null || r.target !== undefined);
  const targets = ratioResults
    .filter((r) => r.target !== undefined)
    .map((r) => ({ ratio: r.key, target: r.target!, value: r.median, met: r.met, ...(r.missing ? { missing: r.missing } : {}) }));
  return {
    schema: 2,
    mode: run.mode,
    rounds: run.rounds,
    seed: run.seed,
    durationSeconds: Math.round(run.durationSeconds),
    environment: run.environment,
    setup: run.setup,
    subjects: run.subjects,
    workloads: run.workloads,
    results,
    ratios: nestRatios(ratioResults),
    ratioDetails: ratioResults,
    figures: figures(run.cells),
    sizeTable: sizeTable(run.cells),
    targets,
    failures: run.failures,
    cells: run.cells,
  };
}

export type Report = ReturnType<typeof buildReport>;

const medianOf = (values: readonly number[]): number | null => (values.length === 0 ? null : median(values));
const extraOf = (cells: readonly CellResult[], subject: SubjectName, workload: string, key: string) =>
  cells.filter((c) => c.subject === subject && c.workload === workload && c.extra?.[key] !== undefined).map((c) => c.extra![key]!);

/** Figures that are not ratios between two stores: memory held per event, what snapshots save and cost. */
function figures(cells: readonly CellResult[]) {
  return {
    memory: {
      /** Heap bytes per event held by our memory adapter after 1M single-event appends to one stream. */
      bytesPerEvent: medianOf(extraOf(cells, "ours-mem", "size-append-1m", "heapBytesPerEvent")),
      /** The same for the JSON floor (a Map of arrays keeping JSON text and a flattened UUID per event). */
      floorBytesPerEvent: medianOf(extraOf(cells, "json-floor", "size-append-1m", "heapBytesPerEvent")),
    },
    snapshots: Object.fromEntries(
      ["loadSpeedup", "loadWithSnapshotsUs", "loadWithoutSnapshotsUs", "meanTail", "commandUs", "snapshotCommandUs", "writeOverhead"].map((k) => [
        k,
        medianOf(extraOf(cells, "ours-mem", "snapshots-every-100", k)),
      ]),
    ),
  };
}

const SIZE_LABELS = ["1k", "10k", "100k", "1m"] as const;
const SIZE_SUBJECTS: readonly SubjectName[] = ["ours-mem", "json-floor", "floor", "emmett-mem"];

export interface SizeRow {
  readonly subject: SubjectName;
  /** µs per event appended / read, µs per command folded, heap bytes per event, by size label; null where not run. */
  readonly appendUs: Record<string, number | null>;
  readonly readUs: Record<string, number | null>;
  readonly foldUs: Record<string, number | null>;
  readonly heapBytes: Record<string, number | null>;
  /** Where appends stopped at the time budget: events appended and µs/event over the first and last tenth completed. */
  readonly appendCurve: Record<string, { readonly events: number; readonly firstUs: number; readonly lastUs: number } | null>;
}

/** Cost against stream size (issue 12): medians over rounds of the size workloads. */
function sizeTable(cells: readonly CellResult[]): SizeRow[] {
  const pick = (subject: SubjectName, workload: string) => cells.filter((c) => c.subject === subject && c.workload === workload);
  const perUnit = (list: readonly CellResult[], unit: (c: CellResult) => number) => medianOf(list.map((c) => (c.seconds * 1e6) / unit(c)));
  return SIZE_SUBJECTS.filter((subject) => cells.some((c) => c.subject === subject && c.workload.startsWith("size-"))).map((subject) => {
    const row: SizeRow = { subject, appendUs: {}, readUs: {}, foldUs: {}, heapBytes: {}, appendCurve: {} };
    for (const size of SIZE_LABELS) {
      const appends = pick(subject, `size-append-${size}`);
      row.appendUs[size] = perUnit(appends, (c) => c.events);
      row.heapBytes[size] = medianOf(extraOf(cells, subject, `size-append-${size}`, "heapBytesPerEvent"));
      row.readUs[size] = perUnit(pick(subject, `size-read-${size}`), (c) => c.events);
      row.foldUs[size] = perUnit(pick(subject, `size-fold-${size}`), (c) => c.ops);
      const cut = appends.find((c) => c.truncatedAt !== undefined && c.progress && c.planned);
      row.appendCurve[size] = cut ? curve(cut) : null;
    }
    return row;
  });
}

/** µs per event over the first and the last completed tenth of a run that stopped at its budget. */
function curve(cell: CellResult): { events: number; firstUs: number; lastUs: number } {
  const progress = cell.progress!;
  const perStep = cell.planned! / 100;
  const k = progress.length;
  const tenth = Math.max(1, Math.floor(k / 10));
  const firstUs = (progress[tenth - 1]! * 1e6) / (tenth * perStep);
  const lastUs = ((progress[k - 1]! - progress[k - 1 - tenth]!) * 1e6) / (tenth * perStep);
  return { events: cell.truncatedAt!, firstUs, lastUs };
}

const fmt = (n: number | null | undefined, digits = 0): string =>
  n === null || n === undefined ? "–" : n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const rate = (n: number) => fmt(n, n < 100 ? 1 : 0);
const micros = (n: number | null) => (n === null ? "–" : fmt(n, n < 10 ? 2 : n < 100 ? 1 : 0));
const ratio = (n: number | null) => (n === null ? "–" : fmt(n, n < 10 ? 2 : 1));

function ratioLine(r: RatioResult): string {
  const verdict = r.met === null ? (r.target === undefined ? "" : "not measured") : r.met ? "met" : "**missed**";
  const spread =
    r.median === null
      ? (r.missing ?? "")
      : `${ratio(r.min)}–${ratio(r.max)} (${r.rounds} rounds, ${Math.round((r.confidence ?? 0) * 100)}%)${r.comparedOver ? `; over ${r.comparedOver}` : ""}`;
  const what = `${r.numerator.subject} ÷ ${r.denominator.subject}, ${r.numerator.workload}${r.lowerIsBetter ? ` (${r.lowerIsBetter}, inverted)` : ""}`;
  return `| \`${r.key}\` | ${ratio(r.median)} | ${r.target === undefined ? "–" : `≥ ${r.target}`} | ${verdict} | ${spread} | ${ratio(r.cpuRatio)} | ${what}: ${r.explain} |`;
}

const RATIO_HEADER = [
  "| Ratio | Median | Target | Verdict | Interval: range over rounds (confidence for the median) | Client CPU/event, theirs ÷ ours | What it compares |",
  "|---|---|---|---|---|---|---|",
];

function sizeLines(report: Report): string[] {
  if (report.sizeTable.length === 0) return [];
  const lines: string[] = ["## Cost against stream size (memory)", ""];
  lines.push(
    "One stream of each size in a new store, medians over rounds. Append and read in µs per event, fold in µs per command",
    "(load, fold, append on a stream of that size), heap in bytes per event held after the appends (forced GC before and after).",
    "",
  );
  const cols = SIZE_LABELS;
  lines.push(`| Subject | ${cols.map((c) => `append ${c}`).join(" | ")} | ${cols.map((c) => `read ${c}`).join(" | ")} | ${cols.slice(0, 3).map((c) => `fold ${c}`).join(" | ")} | ${cols.map((c) => `heap B/event ${c}`).join(" | ")} |`);
  lines.push(`|---|${[...cols, ...cols, ...cols.slice(0, 3), ...cols].map(() => "---:").join("|")}|`);
  for (const row of report.sizeTable) {
    const append = cols.map((c) => {
      const cut = row.appendCurve[c];
      return cut ? `${micros(row.appendUs[c] ?? null)} (stopped at ${fmt(cut.events)} events: ${micros(cut.firstUs)} → ${micros(cut.lastUs)})` : micros(row.appendUs[c] ?? null);
    });
    lines.push(
      `| \`${row.subject}\` | ${append.join(" | ")} | ${cols.map((c) => micros(row.readUs[c] ?? null)).join(" | ")} | ${cols.slice(0, 3).map((c) => micros(row.foldUs[c] ?? null)).join(" | ")} | ${cols.map((c) => fmt(row.heapBytes[c] ?? null)).join(" | ")} |`,
    );
  }
  lines.push("");
  const { memory, snapshots } = report.figures;
  if (memory.bytesPerEvent !== null) {
    lines.push(`Heap after 1M events: ours ${fmt(memory.bytesPerEvent)} bytes/event, the JSON floor ${fmt(memory.floorBytesPerEvent)} (target: at most twice the floor's).`, "");
  }
  if (snapshots.loadSpeedup !== null && snapshots.loadSpeedup !== undefined) {
    lines.push("## Snapshots every 100 events (ours, memory)", "");
    lines.push(
      `Streams of 10k events plus a random tail (mean ${fmt(snapshots.meanTail ?? null, 1)} events after the last snapshot): a load takes ` +
        `${micros(snapshots.loadWithSnapshotsUs ?? null)} µs from a snapshot and ${micros(snapshots.loadWithoutSnapshotsUs ?? null)} µs from the events ` +
        `(${ratio(snapshots.loadSpeedup ?? null)}× faster). Taking them: a command that writes a snapshot takes ${micros(snapshots.snapshotCommandUs ?? null)} µs, ` +
        `one that does not ${micros(snapshots.commandUs ?? null)} µs, so snapshots add ${fmt((snapshots.writeOverhead ?? 0) * 100, 1)}% to the average command. ` +
        "A feature's cost and benefit on our own store, not a comparison with another library.",
      "",
    );
  }
  return lines;
}

/** docs/benchmarks.md: method, environment, targets, every table. Regenerated by every full run. */
export function renderMarkdown(report: Report): string {
  const env = report.environment;
  const lines: string[] = [];
  lines.push("# Benchmarks", "");
  lines.push(
    "Generated by `npm run bench` (bench/run.ts); the machine-readable copy is `bench/results/latest.json`.",
    "Absolute figures belong to this machine and this run only; the **ratios** are what we compare, each the",
    "median of per-round ratios with both sides measured in the same round.",
    "",
  );
  lines.push(
    "Run it with `npm run bench` (full: 5 rounds; this run's duration is in the table below) or",
    "`npm run bench -- --quick` (1 round, the workloads with targets at smaller sizes; writes",
    "bench/results/quick.{json,md}). Other options: `--rounds N`, `--subjects a,b`, `--workloads a,b`, `--pin`,",
    "`--profile DIR` (a `--cpu-prof` per child), `--isolate` (a process per subject × workload).",
    "",
  );
  lines.push("## Environment", "");
  lines.push("| | |", "|---|---|");
  lines.push(`| Date | ${env.date} |`);
  lines.push(`| Node | ${env.node} (${env.platform}) |`);
  lines.push(`| CPU | ${env.cpuModel}, ${env.cores} cores, ${env.memoryGiB} GiB |`);
  lines.push(`| Git | \`${env.gitSha}\`${env.gitDirty ? " (working tree had uncommitted changes)" : ""} |`);
  lines.push(`| Packages | ${Object.entries(env.packages).map(([k, v]) => `${k} ${v}`).join(", ")} |`);
  lines.push(
    `| Load average (1 min) | ${env.loadAverage.start} at start, ${env.loadAverage.end ?? "–"} at end |`,
  );
  lines.push(`| Mode | ${report.mode}, ${report.rounds} rounds, seed ${report.seed}, ${report.durationSeconds} s |`);
  lines.push("");
  lines.push("## Method", "");
  for (const line of report.setup) lines.push(`- ${line}`);
  lines.push("");
  lines.push("## Subjects", "");
  lines.push("| Subject | Family | In this run | Notes |", "|---|---|---|---|");
  for (const [name, status] of Object.entries(report.subjects)) {
    const notes = [status.reason, ...(status.notes ?? [])].filter(Boolean).join("; ");
    lines.push(`| \`${name}\` | ${status.family} | ${status.included ? "yes" : "**no**"} | ${notes} |`);
  }
  lines.push("");
  lines.push("## Targets", "");
  lines.push(...RATIO_HEADER);
  for (const r of report.ratioDetails.filter((r) => r.target !== undefined)) lines.push(ratioLine(r));
  lines.push("");
  const findings = findingsFor(report.ratioDetails);
  if (findings.length > 0) {
    lines.push("### Why some ratios fall short", "");
    for (const text of findings) lines.push(`- ${text}`);
    lines.push("");
  }
  lines.push("## Other ratios (informational)", "");
  lines.push(...RATIO_HEADER);
  for (const r of report.ratioDetails.filter((r) => r.target === undefined)) lines.push(ratioLine(r));
  lines.push("");
  lines.push(...sizeLines(report));
  lines.push("## Results", "");
  lines.push(
    "Medians over rounds. Latency is per operation (the unit in each heading), in µs. CPU is user + system time",
    "of the client process per event; server CPU is the emulator process's, read from /proc.",
    "",
  );
  for (const workload of report.workloads) {
    const rows = Object.entries(report.results)
      .map(([subject, byWorkload]) => [subject, byWorkload?.[workload.id]] as const)
      .filter((row): row is readonly [string, Summary] => row[1] !== undefined);
    if (rows.length === 0) continue;
    lines.push(`### ${workload.id}: ${workload.title}`, "", `One op = ${workload.unit}.`, "");
    lines.push("| Subject | events/s | ops/s | p50 µs | p99 µs | CPU µs/event | server CPU µs/event | events/s range | extra |");
    lines.push("|---|---:|---:|---:|---:|---:|---:|---|---|");
    for (const [subject, s] of rows) {
      const extras = s.extra ? Object.entries(s.extra).map(([k, v]) => `${k} ${fmt(v, v < 1 ? 3 : 0)}`) : [];
      if (s.truncatedRounds) {
        extras.push(`stopped at the time budget in ${s.truncatedRounds} round(s), after ≥ ${fmt(s.completedMin ?? 0)} ops`);
      }
      const extra = extras.join(", ");
      lines.push(
        `| \`${subject}\` | ${rate(s.eventsPerSec)} | ${rate(s.opsPerSec)} | ${micros(s.p50Us)} | ${micros(s.p99Us)} | ${micros(s.cpuUsPerEvent)} | ${micros(s.serverCpuUsPerEvent)} | ${rate(s.eventsPerSecMin)}–${rate(s.eventsPerSecMax)} | ${extra} |`,
      );
    }
    lines.push("");
  }
  if (report.failures.length > 0) {
    lines.push("## Failures", "");
    for (const f of report.failures) lines.push(`- \`${f.subject}\` × ${f.workload}, round ${f.round}: ${f.error}`);
    lines.push("");
  }
  return lines.join("\n");
}
