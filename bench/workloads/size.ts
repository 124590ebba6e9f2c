import { makeEvents } from "../events.js";
import { Meter, timedLoop, type LoopOutcome } from "../measure.js";
import type { Measurement, SubjectName } from "../types.js";
import { prefill } from "./read.js";
import { MEMORY_SUBJECTS, streamName, type Workload, type WorkloadContext } from "./workload.js";

/**
 * Cost against stream size, in memory: one stream of N events (1k, 10k, 100k, 1M), appended one
 * event at a time, read whole, and folded by the command handler. Shows what a store does as a
 * stream grows, where the fixed-size workloads show one point. Emmett's in-memory store copies
 * the stream on every append (O(n) per event), so its appends stop at the time budget from 100k
 * on and its curve is reported instead of a ratio; it sits out the 1M sizes.
 */
const SIZES = [1_000, 10_000, 100_000, 1_000_000] as const;
type Size = (typeof SIZES)[number];

const label = (n: Size) => (n >= 1_000_000 ? `${n / 1_000_000}m` : `${n / 1000}k`);

/** Scales N down in the quick and tiny profiles, keeping the label (the report says which profile ran). */
function scaled(context: WorkloadContext, n: number): number {
  return context.size === "full" ? n : context.size === "quick" ? Math.max(100, Math.round(n / 10)) : Math.min(n, 200);
}

/** Emmett's copy-per-append store and the object floor sit out 1M (the JSON floor is the one held to targets). */
const subjectsFor = (n: Size): readonly SubjectName[] =>
  n >= 1_000_000 ? MEMORY_SUBJECTS.filter((s) => s !== "emmett-mem" && s !== "floor") : MEMORY_SUBJECTS;

function heapUsed(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

/**
 * Stores of 1k and 10k events are filled this many events' worth of times (each a new store, the
 * set-up paused), so their timed sections last long enough to measure: one 1k stream takes a few ms.
 */
const APPEND_EVENTS_PER_SIZE = 50_000;

/**
 * The read and fold workloads build their stream (untimed) in appends of this many events (~400 kB,
 * under the memory store's 1 MiB append limit): Emmett's store copies the stream on every append,
 * so building 100k events 100 at a time took it 5 s a cell.
 */
const PREFILL_BATCH = 5000;

function sizeAppend(n: Size): Workload {
  return {
    id: `size-append-${label(n)}`,
    title: `append ${label(n)} single events to one stream of a new store; heap bytes per event after`,
    unit: "append of 1",
    subjects: subjectsFor(n),
    async run(context): Promise<Measurement> {
      const count = scaled(context, n);
      const passes = Math.max(1, Math.floor(scaled(context, APPEND_EVENTS_PER_SIZE) / count));
      const events = makeEvents(count, context.seed);
      // Warm-up on the first instance (other stream), then the timed part on empty ones.
      const warm = Math.min(Math.ceil(count / 10), 5000);
      for (let i = 0; i < warm; i++) await context.subject.append(streamName(context, "w", 0), [events[i]!]);
      const meter = new Meter({ sampleEvery: 8 });
      // Emmett's O(n) appends get the usual budget (one pass at the sizes where it matters); the
      // others must finish the whole size.
      const budget = context.subject.name === "emmett-mem" && passes === 1 ? context.budgetSeconds : Infinity;
      let heapBytesPerEvent = 0;
      let completed = 0;
      let last: LoopOutcome | undefined;
      meter.begin();
      for (let pass = 0; pass < passes; pass++) {
        meter.pause();
        const subject = await context.createSubject();
        try {
          const name = streamName(context, `s${pass}`, 0);
          // Heap held by the first store, measured around its appends.
          const before = pass === 0 ? heapUsed() : 0;
          meter.resume();
          last = await timedLoop(meter, count, (i) => subject.append(name, [events[i]!]), budget);
          meter.pause();
          completed += last.completed;
          if (pass === 0) heapBytesPerEvent = (heapUsed() - before) / last.completed;
        } finally {
          await subject.close();
        }
      }
      const loop: LoopOutcome = passes === 1 ? last! : { completed, planned: passes * count };
      const measurement = meter.end(completed, completed, undefined, loop);
      return { ...measurement, extra: { heapBytesPerEvent, eventsInStream: last!.completed, stores: passes } };
    },
  };
}

function sizeRead(n: Size): Workload {
  return {
    id: `size-read-${label(n)}`,
    title: `read one stream of ${label(n)} events whole`,
    unit: `read of ${label(n)}`,
    subjects: subjectsFor(n),
    async run(context): Promise<Measurement> {
      const { subject } = context;
      const length = scaled(context, n);
      const [name] = await prefill(subject, context, "r", 1, length, PREFILL_BATCH);
      const passes = Math.max(1, Math.ceil(scaled(context, 100_000) / length));
      await subject.read(name!);
      const meter = new Meter({ sampleEvery: 1 });
      let total = 0;
      meter.begin();
      const loop = await timedLoop(meter, passes, async () => {
        total += await subject.read(name!);
      });
      if (total !== loop.completed * length) throw new Error(`${subject.name} read ${total} events, expected ${loop.completed * length}`);
      return meter.end(total, loop.completed, undefined, loop);
    },
  };
}

function sizeFold(n: Exclude<Size, 1_000_000>): Workload {
  return {
    id: `size-fold-${label(n)}`,
    title: `command handler over one stream of ${label(n)} events`,
    unit: "command",
    subjects: MEMORY_SUBJECTS,
    async run(context): Promise<Measurement> {
      const { subject } = context;
      const length = scaled(context, n);
      const [name] = await prefill(subject, context, "f", 1, length, PREFILL_BATCH);
      const commands = makeEvents(Math.max(3, Math.ceil(scaled(context, 50_000) / length)) + 1, context.seed + 1);
      await subject.handle(name!, commands[0]!);
      const meter = new Meter({ sampleEvery: 1 });
      let folded = 0;
      meter.begin();
      const loop = await timedLoop(meter, commands.length - 1, async (i) => {
        folded += (await subject.handle(name!, commands[i + 1]!)).items;
      });
      // Each command folds the stream as it stands: length + 1 (warm-up) + the commands before it.
      const expected = loop.completed * (length + 1) + (loop.completed * (loop.completed - 1)) / 2;
      if (folded !== expected) throw new Error(`${subject.name} folded ${folded} events, expected ${expected}`);
      return meter.end(folded, loop.completed, undefined, loop);
    },
  };
}

export const SIZE_WORKLOADS: readonly Workload[] = [
  ...SIZES.map(sizeAppend),
  ...SIZES.map(sizeRead),
  ...([1_000, 10_000, 100_000] as const).map(sizeFold),
];
