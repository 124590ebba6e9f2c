import { readFileSync } from "node:fs";
import { createHistogram, performance, type RecordableHistogram } from "node:perf_hooks";
import type { Measurement } from "./types.js";

/**
 * Times one section: wall clock, per-operation latency (perf_hooks histogram, ns), client CPU
 * (process.cpuUsage) and, where a server pid is known, the server's CPU from /proc.
 *
 * `sampleEvery` records the latency of one operation in n: in-memory operations take a few
 * hundred ns, and timing every one would add the timer's own cost to the throughput of the
 * fastest subjects (the floor most of all). The same n applies to both sides of a ratio.
 */
export class Meter {
  readonly #histogram: RecordableHistogram = createHistogram();
  readonly #serverPid: number | undefined;
  readonly sampleEvery: number;
  #count = 0;
  #t0 = 0;
  #cpu0: NodeJS.CpuUsage = { user: 0, system: 0 };
  #server0: number | undefined;
  /** Time and CPU spent paused (set-up between the parts of one timed section), left out of the figures. */
  #pausedMs = 0;
  #pausedCpu = 0;
  #pausedAt: { readonly ms: number; readonly cpu: NodeJS.CpuUsage } | undefined;

  constructor(options: { serverPid?: number; sampleEvery?: number } = {}) {
    this.#serverPid = options.serverPid;
    this.sampleEvery = Math.max(1, options.sampleEvery ?? 1);
  }

  begin(): void {
    collectGarbage();
    this.#server0 = serverCpuMicros(this.#serverPid);
    this.#cpu0 = process.cpuUsage();
    this.#t0 = performance.now();
  }

  /** True when the next operation's latency should be recorded. */
  shouldSample(): boolean {
    return this.#count++ % this.sampleEvery === 0;
  }

  /** Records one operation's latency, given in milliseconds (performance.now() difference). */
  record(ms: number): void {
    this.#histogram.record(Math.max(1, Math.round(ms * 1e6)));
  }

  /** Seconds since begin(), paused time left out. */
  elapsed(): number {
    return (performance.now() - this.#t0 - this.#pausedMs) / 1000;
  }

  /** Stops the clocks while a timed section sets up its next part (e.g. a new store). */
  pause(): void {
    this.#pausedAt ??= { ms: performance.now(), cpu: process.cpuUsage() };
  }

  resume(): void {
    if (!this.#pausedAt) return;
    const cpu = process.cpuUsage(this.#pausedAt.cpu);
    this.#pausedMs += performance.now() - this.#pausedAt.ms;
    this.#pausedCpu += cpu.user + cpu.system;
    this.#pausedAt = undefined;
  }

  end(events: number, ops: number, extra?: Record<string, number>, loop?: LoopOutcome): Measurement {
    this.resume();
    const seconds = (performance.now() - this.#t0 - this.#pausedMs) / 1000;
    const cpu = process.cpuUsage(this.#cpu0);
    cpu.user -= this.#pausedCpu;
    const server1 = serverCpuMicros(this.#serverPid);
    const hasLatency = this.#histogram.count > 0;
    return {
      events,
      ops,
      seconds,
      eventsPerSec: events / seconds,
      opsPerSec: ops / seconds,
      p50Us: hasLatency ? this.#histogram.percentile(50) / 1000 : undefined,
      p99Us: hasLatency ? this.#histogram.percentile(99) / 1000 : undefined,
      cpuUsPerEvent: (cpu.user + cpu.system) / events,
      serverCpuUsPerEvent:
        this.#server0 !== undefined && server1 !== undefined ? (server1 - this.#server0) / events : undefined,
      ...(extra ? { extra } : {}),
      ...(loop?.progress ? { progress: loop.progress } : {}),
      ...(loop && loop.completed < loop.planned ? { truncatedAt: loop.completed, planned: loop.planned } : {}),
    };
  }
}

export interface LoopOutcome {
  readonly completed: number;
  readonly planned: number;
  /** Seconds elapsed after each hundredth of `planned` (sequential loops only). */
  readonly progress?: number[];
}

/**
 * Runs `operation` `count` times sequentially, recording sampled latencies and the elapsed time
 * after every hundredth of the work. Stops early once `budgetSeconds` have passed (a subject
 * whose appends slow down as its store grows would otherwise take minutes); the outcome says how
 * many operations ran.
 */
export async function timedLoop(
  meter: Meter,
  count: number,
  operation: (i: number) => Promise<unknown>,
  budgetSeconds = Infinity,
): Promise<LoopOutcome> {
  const step = Math.max(1, Math.ceil(count / 100));
  const progress: number[] = [];
  for (let i = 0; i < count; i++) {
    if (meter.shouldSample()) {
      const t = performance.now();
      await operation(i);
      meter.record(performance.now() - t);
    } else {
      await operation(i);
    }
    if ((i + 1) % step === 0 || i + 1 === count) {
      const elapsed = meter.elapsed();
      progress.push(Math.round(elapsed * 1e6) / 1e6);
      if (elapsed > budgetSeconds && i + 1 < count) return { completed: i + 1, planned: count, progress };
    }
  }
  return { completed: count, planned: count, progress };
}

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) gc();
}

const CLOCK_TICKS_PER_SECOND = 100;

/** utime + stime of a process in µs, from /proc/<pid>/stat (Linux); undefined elsewhere. */
export function serverCpuMicros(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces; fields after the closing parenthesis are fixed.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1e6) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}
