/**
 * `npm run bench [-- options]`: every (subject × workload) cell in its own child process, subjects
 * interleaved in rounds, emulators in their own processes; writes bench/results/latest.json and
 * docs/benchmarks.md (full mode) or bench/results/quick.{json,md} (--quick / --tiny).
 *
 * Options: --quick | --tiny, --rounds N, --seed N, --out FILE, --md FILE, --subjects a,b,
 * --workloads a,b, --pin (pin network clients to cpu 0 and servers to cpu 1), --profile DIR
 * (node --cpu-prof for every child), --isolate (a process, and a server, per workload × subject).
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { buildBench } from "./build.js";
import { collectEnvironment, loadAverageNow } from "./env.js";
import { buildReport, renderMarkdown, type Failure, type SubjectStatus } from "./report.js";
import { startServer, type RunningServer } from "./servers/index.js";
import { FAMILY } from "./subjects/index.js";
import { SUBJECTS, type CellResult, type ChildSpec, type Family, type Servers, type SizeProfile, type SubjectName } from "./types.js";
import { WORKLOADS } from "./workloads/index.js";
import type { Workload } from "./workloads/workload.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const RESULT_PREFIX = "RESULT ";
const CHILD_TIMEOUT_MS = 300_000;

/** Subjects left out of this run, with the reason printed in the report. */
const UNAVAILABLE: Partial<Record<SubjectName, string>> = unavailableSubjects();

/**
 * Emmett's SQLite store runs on node-sqlite3, whose native module compiles SQLite (about two
 * minutes). `npm install` builds it (package.json allowScripts); CI's install builds only what the
 * tests need, so its smoke run leaves this subject out, saying so, rather than failing.
 */
function unavailableSubjects(): Partial<Record<SubjectName, string>> {
  try {
    createRequire(import.meta.url)("sqlite3");
    return {};
  } catch (error) {
    const why = error instanceof Error ? error.message.split("\n", 1)[0] : String(error);
    return { "emmett-sqlite": `node-sqlite3's native module is not built (${why}); run \`npm rebuild sqlite3\`` };
  }
}

/**
 * The families whose subjects talk to a server process the bench starts (our emulators); memory and
 * SQLite run in the child itself, PostgreSQL on the machine's server (each cell in a new schema).
 */
const SERVER_ENTRY: Record<Exclude<Family, "memory" | "sqlite" | "postgres" | "nats">, string> = {
  esdb: "esdb-server",
  ensign: "ensign-server",
  nats3: "nats-cluster",
};

/**
 * What `--quick` runs unless `--workloads` says otherwise: the workloads with targets, and the
 * memory figures at a tenth of their full size, so a quick run stays under two minutes.
 */
const QUICK_WORKLOADS = new Set([
  "append-1",
  "append-batch-10",
  "append-batch-100",
  "concurrent-8",
  "read-10k",
  "fold-100",
  "size-append-1m",
  "size-read-10k",
]);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      tiny: { type: "boolean", default: false },
      rounds: { type: "string" },
      seed: { type: "string", default: "42" },
      out: { type: "string" },
      md: { type: "string" },
      subjects: { type: "string" },
      workloads: { type: "string" },
      pin: { type: "boolean", default: false },
      profile: { type: "string" },
      isolate: { type: "boolean", default: false },
    },
  });
  const mode: SizeProfile = values.tiny ? "tiny" : values.quick ? "quick" : "full";
  const rounds = Number(values.rounds ?? (mode === "full" ? 5 : 1));
  const seed = Number(values.seed);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a positive integer`);
  const out = resolve(values.out ?? join(ROOT, "bench/results", mode === "full" ? "latest.json" : "quick.json"));
  const md = resolve(values.md ?? (mode === "full" ? join(ROOT, "docs/benchmarks.md") : out.replace(/\.json$/, ".md")));
  // Not pinned by default: on a machine shared with other work, a pinned process cannot move off a
  // busy core, which made ratios swing far more (0.5–1.2 for identical code) than unpinned runs.
  const pin = values.pin && existsSync("/usr/bin/taskset") && (await import("node:os")).cpus().length >= 2;

  const wantedSubjects = values.subjects ? new Set(values.subjects.split(",")) : undefined;
  const wantedWorkloads = values.workloads ? new Set(values.workloads.split(",")) : undefined;
  const subjects: Record<string, SubjectStatus> = {};
  for (const name of SUBJECTS) {
    const reason = UNAVAILABLE[name] ?? (wantedSubjects && !wantedSubjects.has(name) ? "not selected (--subjects)" : undefined);
    subjects[name] = { family: FAMILY[name], included: reason === undefined, ...(reason ? { reason } : {}) };
  }
  const selected = wantedWorkloads ?? (mode === "quick" ? QUICK_WORKLOADS : undefined);
  const workloads = WORKLOADS.filter((w) => !selected || selected.has(w.id));
  if (workloads.length === 0) throw new Error("No workload selected");

  const environment = collectEnvironment(ROOT);
  const started = Date.now();
  log(`bench: ${mode} mode, ${rounds} round(s), seed ${seed}, ${pin ? "network client/server pinned to cpu 0/1" : "no pinning"}`);
  const buildDir = await buildBench(ROOT, {
    child: "bench/child.ts",
    "esdb-server": "bench/servers/esdb-server.ts",
    "ensign-server": "bench/servers/ensign-server.ts",
    "nats-cluster": "bench/servers/nats-cluster.ts",
  });
  if (values.profile) mkdirSync(resolve(values.profile), { recursive: true });

  const cells: CellResult[] = [];
  const failures: Failure[] = [];
  const notes = new Map<SubjectName, Set<string>>();
  try {
    for (let round = 0; round < rounds; round++) {
      for (const batch of processBatches(values.isolate, workloads, subjects, round)) {
        const { subject } = batch;
        // Every network process gets a fresh server of its own, so no subject meets a server
        // another one warmed up (or filled).
        const family = FAMILY[subject];
        const servers: Servers = {};
        const childEnv: NodeJS.ProcessEnv = { ...process.env };
        let server: RunningServer | undefined;
        const started = Date.now();
        try {
          if (family === "esdb" || family === "ensign" || family === "nats3") {
            server = await startServer(family, ...command(pin ? "1" : undefined, [join(buildDir, `${SERVER_ENTRY[family]}.mjs`)]));
            const { clientId, clientSecret, ...extra } = server.info.extra ?? {};
            servers[family] = { ...server.info, extra };
            if (clientId && clientSecret) Object.assign(childEnv, { BENCH_ENSIGN_CLIENT_ID: clientId, BENCH_ENSIGN_CLIENT_SECRET: clientSecret });
          }
          const spec: ChildSpec = { subject, workloads: batch.workloads, size: mode, round, seed, servers };
          const networked = family in SERVER_ENTRY;
          // Every child gets the same heap limit (the 1M-event stores need it), so GC heuristics
          // that depend on it are alike on both sides of every ratio.
          const nodeArgs = ["--expose-gc", "--max-old-space-size=4096"];
          const profileName = `${batch.workloads.length === 1 ? batch.workloads[0] : "all"}.${subject}.r${round}.cpuprofile`;
          if (values.profile) nodeArgs.push("--cpu-prof", "--cpu-prof-dir", resolve(values.profile), "--cpu-prof-name", profileName);
          nodeArgs.push(join(buildDir, "child.mjs"), JSON.stringify(spec));
          const outcome = await runChild(...command(pin && networked ? "0" : undefined, nodeArgs), childEnv);
          for (const result of outcome.results) {
            cells.push(result.cell);
            for (const n of result.notes) (notes.get(subject) ?? notes.set(subject, new Set()).get(subject)!).add(n);
            const cut = result.cell.truncatedAt === undefined ? "" : ` (stopped at budget after ${result.cell.truncatedAt} ops)`;
            const wall = result.cell.wallSeconds === undefined ? "" : ` [${result.cell.wallSeconds.toFixed(1)} s]`;
            log(`[${round + 1}/${rounds}] ${result.cell.workload.padEnd(19)} ${subject.padEnd(19)} ${fmtRate(result.cell.eventsPerSec)} events/s${cut}${wall}`);
          }
          const done = new Set(outcome.results.map((r) => r.cell.workload));
          for (const workload of batch.workloads.filter((w) => !done.has(w))) {
            failures.push({ subject, workload, round, error: outcome.error ?? "no result line" });
            log(`[${round + 1}/${rounds}] ${workload.padEnd(19)} ${subject.padEnd(19)} FAILED: ${outcome.error ?? "no result line"}`);
          }
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          for (const workload of batch.workloads) failures.push({ subject, workload, round, error: message });
          log(`[${round + 1}/${rounds}] ${subject} FAILED: ${message}`);
        } finally {
          await server?.stop();
        }
        if (batch.workloads.length > 1) log(`    ${subject}: ${batch.workloads.length} workloads in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      }
    }
  } finally {
    rmSync(buildDir, { recursive: true, force: true });
  }

  for (const [name, set] of notes) subjects[name] = { ...subjects[name]!, notes: [...set] };
  const report = buildReport({
    mode,
    rounds,
    seed,
    environment: { ...environment, loadAverage: { ...environment.loadAverage, end: loadAverageNow() } },
    durationSeconds: (Date.now() - started) / 1000,
    subjects: subjects as Record<SubjectName, SubjectStatus>,
    workloads: workloads.map(({ id, title, unit }) => ({ id, title, unit })),
    cells,
    failures,
    setup: methodNotes(pin, rounds),
  });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`);
  mkdirSync(dirname(md), { recursive: true });
  writeFileSync(md, renderMarkdown(report));
  log(`\nwrote ${out} and ${md} in ${report.durationSeconds} s`);
  for (const t of report.targets) {
    const value = t.value === null ? "not measured" : t.value.toFixed(2);
    log(`  ${t.ratio.padEnd(28)} ${value.padStart(8)}  (target ≥ ${t.target}) ${t.met === null ? "" : t.met ? "met" : "MISSED"}`);
  }
  if (failures.length > 0) {
    log(`${failures.length} cell(s) failed; see the report`);
    process.exitCode = 1;
  }
}

function methodNotes(pin: boolean, rounds: number): string[] {
  return [
    "Each subject runs in a fresh `node --expose-gc` child process per round, which runs all of that subject's workloads in the same order as every other subject's process (so JIT warmth and heap history are alike on both sides of a ratio); with `--isolate`, every (subject × workload × round) gets a process of its own. The bench is compiled once per run with tsup.",
    `Rounds: ${rounds}; within a round every workload runs each of its subjects once, in the listed order in even rounds and reversed in odd rounds, so the two sides of every ratio alternate first and second.`,
    "Every child builds the same events from the same seed (mulberry32) before its timed section; each event is ~80 bytes of JSON (`ProductItemAdded { productId, quantity, price }`). No subject is given event ids: each library generates its own (one UUID per event everywhere).",
    "Each child first runs a warm-up of about a tenth of the work on other streams, then forces a GC, then times the section.",
    "Latency: `perf_hooks.createHistogram`, per operation; in-memory subjects record one operation in 8 (a timer around a sub-µs operation would slow the fastest subject most), network subjects every operation. CPU: `process.cpuUsage()` of the client; server CPU from /proc/<pid>/stat.",
    "EventStoreDB and Ensign run as the project's wire-level servers (src/servers), not the real servers (neither can run on these machines): network figures measure the clients, our adapters and a JS server on loopback, so absolute numbers say little about a real deployment; the raw-vs-ours ratios compare two clients against the same server code. Each subject's process gets a fresh server process of its own, so no subject meets a server another one warmed up or filled, and both sides of a ratio run the same workloads in the same order on it.",
    "PostgreSQL subjects run on the machine's PostgreSQL server (127.0.0.1:5432, database `test`, its default settings: synchronous_commit on), each cell in a new schema dropped afterwards; Emmett's store takes no schema option, so its connection sets `search_path` to its cell's schema.",
    "A timed section stops after its time budget (1.2 s in full mode, 0.75 s in quick mode) and reports the part that ran (with 8 concurrent or contended writers, each writer stops; throughput is over the appends done); when either side of a sequential ratio stopped early, both sides are compared over the same leading part of the work (elapsed time at each hundredth of the work is recorded), because a store whose appends slow down as it grows would look faster over a shorter run.",
    "Sizes (full mode): memory subjects append 150k single events (SQLite 50k), 100k events in batches of 10, 200k in batches of 100; network subjects (EventStoreDB, Ensign, PostgreSQL, NATS) 2k, 5k and 10k. Reads of 10k-event streams: 90 in memory, 15 on SQLite, 2 on the network; the command handler: 5,000 commands in memory (5 on each of 1,000 streams), 1,000 on SQLite, 50 on the network (memory sections of 0.1 s swung with a single GC). Catch-up: 100k events (memory), 10k (network). The size workloads (`size-*`, memory subjects only) use one stream of 1k, 10k, 100k and 1M events; the 1k and 10k appends fill a new store 50 and 5 times (the set-up between them paused), so their timed sections are not a few milliseconds; heap bytes per event are `process.memoryUsage().heapUsed` after a forced GC, before and after the appends to the first store, over the events appended (the input events are built before). Ensign subjects run only the single-stream read (read-10k): Ensign reads a stream by scanning its category's topic, so many short streams in one topic would measure the topic, not the stream.",
    pin
      ? "Network families: client pinned to cpu 0 and server to cpu 1 with `taskset` (co-located, 2 cores). Memory subjects are not pinned."
      : "No CPU pinning (client, server and any other work on the machine share both cores; `--pin` pins network clients to cpu 0 and servers to cpu 1).",
    "A ratio is events/s of the numerator over events/s of the denominator in the same round; the reported value is the median over rounds, with the range over rounds as its interval: with n rounds the true median lies between the lowest and highest per-round ratio with probability 1 − 2^(1−n) (94% for 5 rounds). Beside each network ratio, client CPU per event (denominator ÷ numerator, so above 1 means ours uses less). A ratio never compares a subject with itself.",
  ];
}

/**
 * The order of a workload's subjects in a round: as listed in even rounds, reversed in odd ones,
 * so every pair (raw and ours of one family above all) strictly alternates first and second.
 */
function cellOrder<T>(subjects: readonly T[], round: number): T[] {
  return round % 2 === 1 ? [...subjects].reverse() : [...subjects];
}

function command(cpu: string | undefined, nodeArgs: string[]): [string, string[]] {
  return cpu === undefined ? [process.execPath, nodeArgs] : ["taskset", ["-c", cpu, process.execPath, ...nodeArgs]];
}

interface ChildOutcome {
  readonly results: { cell: CellResult; notes: string[] }[];
  /** Set when the process failed: its exit and the last lines it printed. */
  readonly error?: string;
}

function runChild(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<ChildOutcome> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), CHILD_TIMEOUT_MS);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const results = stdout
        .split("\n")
        .filter((l) => l.startsWith(RESULT_PREFIX))
        .map((line) => {
          const { notes = [], ...cell } = JSON.parse(line.slice(RESULT_PREFIX.length)) as CellResult & { notes?: string[] };
          return { cell, notes };
        });
      const error = code === 0 ? undefined : `${signal ? `killed by ${signal}` : `exit code ${code}`}: ${lastLines(stderr) || "no output"}`;
      resolvePromise({ results, ...(error ? { error } : {}) });
    });
  });
}

/**
 * The child processes of one round, in order: one per subject, running every workload it takes in
 * the same order for every subject, on a fresh server of its own (a process and a server start per
 * cell took most of a run); with `--isolate`, one per (workload × subject) instead.
 */
function processBatches(
  isolate: boolean,
  workloads: readonly Workload[],
  subjects: Record<string, SubjectStatus>,
  round: number,
): { subject: SubjectName; workloads: string[] }[] {
  const included = (w: Workload) => w.subjects.filter((s) => subjects[s]!.included);
  if (isolate) return workloads.flatMap((w) => cellOrder(included(w), round).map((subject) => ({ subject, workloads: [w.id] })));
  return cellOrder(
    SUBJECTS.filter((s) => subjects[s]!.included),
    round,
  )
    .map((subject) => ({ subject, workloads: workloads.filter((w) => included(w).includes(subject)).map((w) => w.id) }))
    .filter((batch) => batch.workloads.length > 0);
}

/** The error's first lines (its message) and the last ones (where it surfaced). */
function lastLines(text: string): string {
  const lines = text.trim().split("\n");
  return (lines.length <= 8 ? lines : [...lines.slice(0, 4), "…", ...lines.slice(-3)]).join(" | ");
}

function fmtRate(n: number): string {
  return Math.round(n).toLocaleString("en-US").padStart(12);
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
