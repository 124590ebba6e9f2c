/**
 * One subject's cells of a round in a process of their own, so JIT state and heap never leak
 * between subjects: all of the subject's workloads in one process (one per process with
 * `--isolate`). Reads a ChildSpec (JSON) from argv, prints a `RESULT {json}` line per workload.
 */
import { performance } from "node:perf_hooks";
import { createSubject } from "./subjects/index.js";
import type { CellResult, ChildSpec, SizeProfile } from "./types.js";
import { workloadById } from "./workloads/index.js";

const RESULT_PREFIX = "RESULT ";

/** Time budget of one sequential timed section, per size profile. */
const BUDGET_SECONDS: Record<SizeProfile, number> = { full: 1.2, quick: 0.75, tiny: 0.5 };

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? "{}") as ChildSpec;
  for (const id of spec.workloads) {
    const workload = workloadById(id);
    const started = performance.now();
    const subject = await createSubject(spec.subject, spec.servers);
    const server = subject.family === "esdb" ? spec.servers.esdb : subject.family === "ensign" ? spec.servers.ensign : undefined;
    try {
      const category = `${id.replace(/[^a-z0-9]/gi, "")}r${spec.round}${spec.subject.replace(/[^a-z0-9]/gi, "")}`;
      const measurement = await workload.run({
        subject,
        size: spec.size,
        seed: spec.seed,
        category,
        serverPid: server?.pid,
        createSubject: () => createSubject(spec.subject, spec.servers),
        budgetSeconds: BUDGET_SECONDS[spec.size],
      });
      const wallSeconds = Math.round(performance.now() - started) / 1000;
      const result: CellResult = { subject: spec.subject, workload: id, round: spec.round, ...measurement, wallSeconds };
      process.stdout.write(`${RESULT_PREFIX}${JSON.stringify({ ...result, notes: subject.notes ?? [] })}\n`);
    } finally {
      await subject.close();
    }
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
