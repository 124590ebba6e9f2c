import { batches, makeEvents } from "../events.js";
import { Meter, timedLoop } from "../measure.js";
import type { Subject } from "../subjects/subject.js";
import type { BenchEvent, SubjectName } from "../types.js";
import { ALL_SUBJECTS, LEAN_SUBJECTS, sampleEvery, sized, streamName, type Sized, type Workload, type WorkloadContext } from "./workload.js";

/** Writes `streams` streams of `length` events in batches of up to `batch` (untimed setup). */
export async function prefill(
  subject: Subject,
  context: WorkloadContext,
  tag: string,
  streams: number,
  length: number,
  batch = 100,
): Promise<string[]> {
  const events: BenchEvent[] = makeEvents(length, context.seed);
  const groups = batches(events, batch);
  const names: string[] = [];
  for (let s = 0; s < streams; s++) {
    const name = streamName(context, tag, s);
    for (const group of groups) await subject.append(name, group);
    names.push(name);
  }
  return names;
}

interface ReadShape {
  readonly streams: number;
  /** How many times each stream is read in the timed section. */
  readonly passes: number;
}

function readWorkload(length: number, table: Sized<ReadShape>, subjects: readonly SubjectName[] = ALL_SUBJECTS): Workload {
  const label = length >= 1000 ? `${length / 1000}k` : String(length);
  return {
    id: `read-${label}`,
    title: `read whole streams of ${label} events`,
    unit: `read of ${label}`,
    subjects,
    async run(context) {
      const { subject } = context;
      const shape = sized(table, context);
      const names = await prefill(subject, context, "r", shape.streams, length);
      const reads = shape.streams * shape.passes;
      for (let i = 0; i < Math.max(1, Math.ceil(reads / 10)); i++) await subject.read(names[i % names.length]!);
      const meter = new Meter({ serverPid: context.serverPid, sampleEvery: length >= 100 ? 1 : sampleEvery(subject.family) });
      let total = 0;
      meter.begin();
      const loop = await timedLoop(
        meter,
        reads,
        async (i) => {
          total += await subject.read(names[i % names.length]!);
        },
        context.budgetSeconds,
      );
      if (total !== loop.completed * length) {
        throw new Error(`${subject.name} read ${total} events, expected ${loop.completed * length}`);
      }
      return meter.end(total, loop.completed, undefined, loop);
    },
  };
}

/**
 * Ensign keeps a stream's events in its category's topic and reads them by scanning the topic
 * (EnSQL), so reading one of many short streams measures the topic's size, not the stream's:
 * the Ensign subjects run the single-stream read-10k only.
 */
const NOT_ENSIGN = ALL_SUBJECTS.filter((s) => !s.includes("ensign") && !LEAN_SUBJECTS.includes(s));

export const read10 = readWorkload(10, {
  full: { memory: { streams: 1000, passes: 10 }, network: { streams: 100, passes: 2 } },
  quick: { memory: { streams: 500, passes: 10 }, network: { streams: 100, passes: 2 } },
  tiny: { memory: { streams: 5, passes: 2 }, network: { streams: 3, passes: 1 } },
}, NOT_ENSIGN);

export const read100 = readWorkload(100, {
  full: { memory: { streams: 300, passes: 5 }, network: { streams: 100, passes: 2 } },
  quick: { memory: { streams: 200, passes: 5 }, network: { streams: 40, passes: 2 } },
  tiny: { memory: { streams: 3, passes: 2 }, network: { streams: 2, passes: 1 } },
}, NOT_ENSIGN);

export const read10k = readWorkload(10_000, {
  // In memory 5 passes lasted 0.1 s, short enough for one GC to swing a round.
  full: { memory: { streams: 3, passes: 30 }, network: { streams: 1, passes: 2 }, sqlite: { streams: 3, passes: 5 } },
  quick: { memory: { streams: 2, passes: 5 }, network: { streams: 1, passes: 1 } },
  tiny: { memory: { streams: 1, passes: 1 }, network: { streams: 1, passes: 1 } },
});
