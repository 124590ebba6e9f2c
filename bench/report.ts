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
    schema: 1,
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
    targets,
    failures: run.failures,
    cells: run.cells,
  };
}

export type Report = ReturnType<typeof buildReport>;

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
      : `${ratio(r.min)}–${ratio(r.max)} (${r.rounds} rounds)${r.comparedOver ? `; over ${r.comparedOver}` : ""}`;
  const what = `${r.numerator.subject} ${r.numerator.workload} ÷ ${r.denominator.subject} ${r.denominator.workload}`;
  return `| \`${r.key}\` | ${ratio(r.median)} | ${r.target === undefined ? "–" : `≥ ${r.target}`} | ${verdict} | ${spread} | ${what} |`;
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
    "Run it with `npm run bench` (full: 5 rounds, about 9 minutes on 2 cores) or `npm run bench -- --quick`",
    "(1 round, smaller sizes, under 2 minutes; writes bench/results/quick.{json,md}). Other options:",
    "`--rounds N`, `--subjects a,b`, `--workloads a,b`, `--pin`, `--profile DIR` (a `--cpu-prof` per child).",
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
  lines.push("| Ratio | Median | Target | Verdict | Range over rounds | Numerator ÷ denominator (events/s) |");
  lines.push("|---|---|---|---|---|---|");
  for (const r of report.ratioDetails.filter((r) => r.target !== undefined)) lines.push(ratioLine(r));
  lines.push("");
  const findings = findingsFor(report.ratioDetails);
  if (findings.length > 0) {
    lines.push("### Why some ratios fall short", "");
    for (const text of findings) lines.push(`- ${text}`);
    lines.push("");
  }
  lines.push("## Other ratios (informational)", "");
  lines.push("| Ratio | Median | Target | Verdict | Range over rounds | Numerator ÷ denominator (events/s) |");
  lines.push("|---|---|---|---|---|---|");
  for (const r of report.ratioDetails.filter((r) => r.target === undefined)) lines.push(ratioLine(r));
  lines.push("");
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
