/**
 * `npm run bench [-- options]`: every (subject × workload) cell in its own child process, subjects
 * interleaved in rounds, emulators in their own processes; writes bench/results/latest.json and
 * docs/benchmarks.md (full mode) or bench/results/quick.{json,md} (--quick / --tiny).
 *
 * Options: --quick | --tiny, --rounds N, --seed N, --out FILE, --md FILE, --subjects a,b,
 * --workloads a,b, --pin (pin network clients to cpu 0 and servers to cpu 1), --profile DIR
 * (node --cpu-prof for every child).
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

/** The families whose subjects talk to a server process; memory and SQLite run in the child itself. */
const SERVER_ENTRY: Record<Exclude<Family, "memory" | "sqlite">, string> = {
  esdb: "esdb-server",
  ensign: "ensign-server",
};

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
  const workloads = WORKLOADS.filter((w) => !wantedWorkloads || wantedWorkloads.has(w.id));
  if (workloads.length === 0) throw new Error("No workload selected");

  const environment = collectEnvironment(ROOT);
  const started = Date.now();
  log(`bench: ${mode} mode, ${rounds} round(s), seed ${seed}, ${pin ? "network client/server pinned to cpu 0/1" : "no pinning"}`);
  const buildDir = await buildBench(ROOT, {
    child: "bench/child.ts",
    "esdb-server": "bench/servers/esdb-server.ts",
    "ensign-server": "bench/servers/ensign-server.ts",
  });
  if (values.profile) mkdirSync(resolve(values.profile), { recursive: true });

  const cells: CellResult[] = [];
  const failures: Failure[] = [];
  const notes = new Map<SubjectName, Set<string>>();
  try {
    for (let round = 0; round < rounds; round++) {
      for (const workload of workloads) {
        const included = workload.subjects.filter((s) => subjects[s]!.included);
        // Rotate the order every round so no subject always runs first (or last).
        const order = included.map((_, i) => included[(i + round) % included.length]!);
        const servers: Servers = {};
        const childEnv: NodeJS.ProcessEnv = { ...process.env };
        const running: RunningServer[] = [];
        try {
          for (const family of ["esdb", "ensign"] as const) {
            if (!order.some((s) => FAMILY[s] === family)) continue;
            const server = await startServer(family, ...command(pin ? "1" : undefined, [join(buildDir, `${SERVER_ENTRY[family]}.mjs`)]));
            running.push(server);
            const { clientId, clientSecret, ...extra } = server.info.extra ?? {};
            servers[family] = { ...server.info, extra };
            if (clientId && clientSecret) Object.assign(childEnv, { BENCH_ENSIGN_CLIENT_ID: clientId, BENCH_ENSIGN_CLIENT_SECRET: clientSecret });
          }
          for (const subject of order) {
            const spec: ChildSpec = { subject, workload: workload.id, size: mode, round, seed, servers };
            const networked = FAMILY[subject] in SERVER_ENTRY;
            const nodeArgs = ["--expose-gc"];
            if (values.profile) nodeArgs.push("--cpu-prof", "--cpu-prof-dir", resolve(values.profile), "--cpu-prof-name", `${workload.id}.${subject}.r${round}.cpuprofile`);
            nodeArgs.push(join(buildDir, "child.mjs"), JSON.stringify(spec));
            const cellStart = Date.now();
            try {
              const result = await runChild(...command(pin && networked ? "0" : undefined, nodeArgs), childEnv);
              cells.push(result.cell);
              for (const n of result.notes) (notes.get(subject) ?? notes.set(subject, new Set()).get(subject)!).add(n);
              const cut = result.cell.truncatedAt === undefined ? "" : ` (stopped at budget after ${result.cell.truncatedAt} ops)`;
              log(
                `[${round + 1}/${rounds}] ${workload.id.padEnd(18)} ${subject.padEnd(12)} ${fmtRate(result.cell.eventsPerSec)} events/s  ${((Date.now() - cellStart) / 1000).toFixed(1)} s${cut}`,
              );
            } catch (error) {
              const message = error instanceof Error ? error.message : String(error);
              failures.push({ subject, workload: workload.id, round, error: message });
              log(`[${round + 1}/${rounds}] ${workload.id.padEnd(18)} ${subject.padEnd(12)} FAILED: ${message}`);
            }
          }
        } finally {
          for (const server of running) await server.stop();
        }
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
    "Each (subject × workload × round) runs in a fresh `node --expose-gc` child process (JIT state and heap never carry over); the bench is compiled once per run with tsup.",
    `Rounds: ${rounds}; within a round every workload runs each of its subjects once, in an order rotated by one subject per round.`,
    "Every child builds the same events from the same seed (mulberry32) before its timed section; each event is ~80 bytes of JSON (`ProductItemAdded { productId, quantity, price }`). No subject is given event ids: each library generates its own (one UUID per event everywhere).",
    "Each child first runs a warm-up of about a tenth of the work on other streams, then forces a GC, then times the section.",
    "Latency: `perf_hooks.createHistogram`, per operation; in-memory subjects record one operation in 8 (a timer around a sub-µs operation would slow the fastest subject most), network subjects every operation. CPU: `process.cpuUsage()` of the client; server CPU from /proc/<pid>/stat.",
    "EventStoreDB and Ensign run as the project's wire-level emulators (test/emulators), not the real servers (neither can run on these machines): network figures measure the clients, our adapters and a JS server on loopback, so absolute numbers say little about a real deployment; the raw-vs-ours ratios compare two clients against the same server. Each emulator runs in its own process, a fresh one per (round × workload), shared by the raw client and our adapter.",
    "A sequential timed section stops after its time budget (3 s in full mode) and reports the part that ran; when either side of a ratio stopped early, both sides are compared over the same leading part of the work (elapsed time at each hundredth of the work is recorded), because a store whose appends slow down as it grows would look faster over a shorter run.",
    "Sizes (full mode): memory subjects append 50k single events, 100k events in batches of 10, 200k in batches of 100; network subjects 2k, 10k and 30k. Catch-up: 100k events (memory), 30k (network, to keep the run within 15 minutes). Ensign subjects run only the single-stream read (read-10k): Ensign reads a stream by scanning its category's topic, so many short streams in one topic would measure the topic, not the stream.",
    pin
      ? "Network families: client pinned to cpu 0 and server to cpu 1 with `taskset` (co-located, 2 cores). Memory subjects are not pinned."
      : "No CPU pinning (client, server and any other work on the machine share both cores; `--pin` pins network clients to cpu 0 and servers to cpu 1).",
    "A ratio is events/s of the numerator over events/s of the denominator in the same round; the reported value is the median over rounds.",
  ];
}

function command(cpu: string | undefined, nodeArgs: string[]): [string, string[]] {
  return cpu === undefined ? [process.execPath, nodeArgs] : ["taskset", ["-c", cpu, process.execPath, ...nodeArgs]];
}

function runChild(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ cell: CellResult; notes: string[] }> {
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
      const line = stdout.split("\n").find((l) => l.startsWith(RESULT_PREFIX));
      if (code !== 0 || !line) {
        const why = signal ? `killed by ${signal}` : `exit code ${code}`;
        reject(new Error(`${why}: ${lastLines(stderr) || "no result line"}`));
        return;
      }
      const parsed = JSON.parse(line.slice(RESULT_PREFIX.length)) as CellResult & { notes?: string[] };
      const { notes = [], ...cell } = parsed;
      resolvePromise({ cell, notes });
    });
  });
}

function lastLines(text: string): string {
  return text.trim().split("\n").slice(-6).join(" | ");
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
