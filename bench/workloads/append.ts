import { performance } from "node:perf_hooks";
import { batches, makeEvents } from "../events.js";
import { Meter, timedLoop } from "../measure.js";
import type { BenchEvent, Measurement } from "../types.js";
import {
  APPEND_SUBJECTS,
  sampleEvery,
  sized,
  streamName,
  type Sized,
  type Workload,
  type WorkloadContext,
} from "./workload.js";

interface AppendShape {
  /** Events appended in the timed section. */
  readonly events: number;
  readonly streams: number;
  readonly batch: number;
}

/**
 * Sequential appends of `batch` events, round-robin over `streams` streams, one writer. A
 * warm-up of a tenth of the work (at most 5k events, other streams) runs first; with `fresh`
 * the timed section then runs on a new, empty instance, so the store holds exactly the shape.
 */
export async function sequentialAppends(context: WorkloadContext, shape: AppendShape, fresh = false): Promise<Measurement> {
  const events = makeEvents(shape.events, context.seed);
  const groups = batches(events, shape.batch);
  const warmGroups = groups.slice(0, Math.max(1, Math.ceil(Math.min(groups.length / 10, 5000 / shape.batch))));
  for (let i = 0; i < warmGroups.length; i++) {
    await context.subject.append(streamName(context, "w", i % shape.streams), warmGroups[i]!);
  }
  const subject = fresh ? await context.createSubject() : context.subject;
  try {
    const names = Array.from({ length: shape.streams }, (_, i) => streamName(context, "s", i));
    const meter = new Meter({ serverPid: context.serverPid, sampleEvery: sampleEvery(subject.family) });
    meter.begin();
    const loop = await timedLoop(
      meter,
      groups.length,
      (i) => subject.append(names[i % shape.streams]!, groups[i]!),
      context.budgetSeconds,
    );
    const appended = Math.min(loop.completed * shape.batch, events.length);
    return meter.end(appended, loop.completed, undefined, loop);
  } finally {
    if (fresh) await subject.close();
  }
}

function appendWorkload(id: string, title: string, batch: number, table: Sized<Omit<AppendShape, "batch">>): Workload {
  return {
    id,
    title,
    unit: `append of ${batch}`,
    subjects: APPEND_SUBJECTS,
    run: (context) => sequentialAppends(context, { ...sized(table, context), batch }),
  };
}

export const append1 = appendWorkload("append-1", "append 1 event, sequential, 1k streams", 1, {
  // In memory a section of 50k appends lasted 0.2 s, short enough for one GC to swing a round.
  full: { memory: { events: 150_000, streams: 1000 }, network: { events: 2000, streams: 1000 }, sqlite: { events: 50_000, streams: 1000 } },
  quick: { memory: { events: 20_000, streams: 1000 }, network: { events: 600, streams: 1000 } },
  tiny: { memory: { events: 100, streams: 10 }, network: { events: 20, streams: 10 } },
});

export const appendBatch10 = appendWorkload("append-batch-10", "append batches of 10, sequential, 1k streams", 10, {
  full: { memory: { events: 100_000, streams: 1000 }, network: { events: 5000, streams: 1000 } },
  quick: { memory: { events: 40_000, streams: 1000 }, network: { events: 2000, streams: 1000 } },
  tiny: { memory: { events: 200, streams: 10 }, network: { events: 100, streams: 10 } },
});

export const appendBatch100 = appendWorkload("append-batch-100", "append batches of 100, sequential, 1k streams", 100, {
  full: { memory: { events: 200_000, streams: 1000 }, network: { events: 10_000, streams: 1000 } },
  quick: { memory: { events: 100_000, streams: 1000 }, network: { events: 5000, streams: 1000 } },
  tiny: { memory: { events: 1000, streams: 10 }, network: { events: 200, streams: 10 } },
});

const WRITERS = 8;

/** 8 writers, each on its own streams, 1-event appends, all in flight together. */
export const concurrent8: Workload = {
  id: "concurrent-8",
  title: "8 concurrent writers, distinct streams, 1 event each",
  unit: "append of 1",
  // Emmett's SQLite store sits out: no target compares it here.
  subjects: APPEND_SUBJECTS.filter((s) => s !== "emmett-sqlite"),
  async run(context) {
    const { subject } = context;
    const perWriter = sized(
      {
        full: { memory: 5000, network: 250 },
        quick: { memory: 2500, network: 50 },
        tiny: { memory: 20, network: 10 },
      },
      context,
    );
    const streamsPerWriter = 100;
    const events = makeEvents(perWriter * WRITERS, context.seed);
    let completed = 0;
    const run = (tag: string, count: number, meter?: Meter) =>
      Promise.all(
        Array.from({ length: WRITERS }, async (_, writer) => {
          for (let i = 0; i < count; i++) {
            if (meter && meter.elapsed() > context.budgetSeconds) return;
            const stream = streamName(context, `${tag}${writer}x`, i % streamsPerWriter);
            const event = events[writer * perWriter + i]!;
            if (meter?.shouldSample()) {
              const t = performance.now();
              await subject.append(stream, [event]);
              meter.record(performance.now() - t);
            } else {
              await subject.append(stream, [event]);
            }
            if (meter) completed++;
          }
        }),
      );
    await run("w", Math.max(1, Math.ceil(perWriter / 10)));
    const meter = new Meter({ serverPid: context.serverPid, sampleEvery: sampleEvery(subject.family) });
    meter.begin();
    // Every writer stops at the time budget, as sequential loops do: throughput is over what was done.
    await run("s", perWriter, meter);
    return meter.end(completed, completed, undefined, { completed, planned: events.length });
  },
};

/**
 * 8 writers on ONE stream, each appending with the revision it last saw as the expected
 * revision; on a conflict it takes the actual revision from the error and retries. Counts
 * successful appends; conflicts are reported in `extra`.
 */
export const contended8: Workload = {
  id: "contended-8",
  title: "8 writers on one stream, expected revision + retry",
  unit: "successful append of 1",
  subjects: ["floor", "json-floor", "emmett-mem", "ours-mem", "esdb-raw", "ours-esdb", "pg-raw", "emmett-pg", "ours-pg"],
  async run(context) {
    const { subject } = context;
    if (!subject.expectedRevision) throw new Error(`${subject.name} does not enforce expected revisions`);
    const perWriter = sized(
      {
        full: { memory: 1000, network: 100 },
        quick: { memory: 500, network: 40 },
        tiny: { memory: 10, network: 5 },
      },
      context,
    );
    const events = makeEvents(perWriter * WRITERS, context.seed);
    let conflicts = 0;
    let successes = 0;
    const run = async (stream: string, count: number, meter?: Meter) => {
      let next = 0;
      await Promise.all(
        Array.from({ length: WRITERS }, async () => {
          let known = -1n;
          // Latency of a successful append counts from its first attempt, retries included.
          let started = performance.now();
          for (let done = 0; done < count; ) {
            if (meter && meter.elapsed() > context.budgetSeconds) return;
            const event: BenchEvent = events[next++ % events.length]!;
            try {
              known = await subject.append(stream, [event], known);
              if (meter?.shouldSample()) meter.record(performance.now() - started);
              started = performance.now();
              done++;
              if (meter) successes++;
            } catch (error) {
              const actual = subject.conflictRevision(error);
              if (actual === undefined) throw error;
              if (actual === known) throw new Error(`${subject.name} reported a conflict at the expected revision`, { cause: error });
              if (meter) conflicts++;
              known = actual;
            }
          }
        }),
      );
    };
    await run(streamName(context, "w", 0), Math.max(1, Math.ceil(perWriter / 10)));
    const meter = new Meter({ serverPid: context.serverPid, sampleEvery: sampleEvery(subject.family) });
    meter.begin();
    // Every writer stops at the time budget; throughput and the conflict rate are over what was done.
    await run(streamName(context, "s", 0), perWriter, meter);
    const planned = perWriter * WRITERS;
    return meter.end(successes, successes, { conflicts, conflictRate: conflicts / (conflicts + successes) }, { completed: successes, planned });
  },
};
