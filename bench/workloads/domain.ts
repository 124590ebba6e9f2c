import { performance } from "node:perf_hooks";
import { makeEvents, seededRandom } from "../events.js";
import { Meter, timedLoop } from "../measure.js";
import type { SubjectName } from "../types.js";
import { prefill } from "./read.js";
import { ALL_SUBJECTS, REVISION_SUBJECTS, sampleEvery, sized, type Workload } from "./workload.js";

/**
 * "Add item" commands on streams of 100 events: load, fold, decide, append (expected revision).
 * In memory each stream takes 5 commands in turn (its length 100 to 104), so the section is long
 * enough to measure without a store of many thousand streams (Emmett's store recounts every
 * stream on each append).
 */
export const fold100: Workload = {
  id: "fold-100",
  title: "command handler over a 100-event stream",
  unit: "command",
  // Ensign's raw client and our default mode have no expected revisions, so no command handler.
  // Emmett's SQLite store sits out (no target compares it here; filling 1,000 streams takes it 6 s a round).
  subjects: REVISION_SUBJECTS.filter((s) => s !== "emmett-sqlite"),
  async run(context) {
    const { subject } = context;
    const { streams, passes } = sized(
      {
        // In memory 1,000 commands lasted 0.1 s, short enough for one GC to swing a round.
        full: { memory: { streams: 1000, passes: 5 }, network: { streams: 50, passes: 1 }, sqlite: { streams: 1000, passes: 1 } },
        quick: { memory: { streams: 400, passes: 1 }, network: { streams: 15, passes: 1 } },
        tiny: { memory: { streams: 3, passes: 1 }, network: { streams: 2, passes: 1 } },
      },
      context,
    );
    const warm = Math.max(1, Math.ceil(streams / 10));
    const warmNames = await prefill(subject, context, "w", warm, 100);
    const names = await prefill(subject, context, "f", streams, 100);
    const commands = makeEvents(streams * passes, context.seed + 1);
    for (let i = 0; i < warm; i++) await subject.handle(warmNames[i]!, commands[i]!);
    const meter = new Meter({ serverPid: context.serverPid, sampleEvery: sampleEvery(subject.family) });
    let folded = 0;
    meter.begin();
    const loop = await timedLoop(
      meter,
      streams * passes,
      async (i) => {
        folded += (await subject.handle(names[i % streams]!, commands[i]!)).items;
      },
      context.budgetSeconds,
    );
    // Command i meets its stream after floor(i / streams) earlier commands on it.
    let expected = 0;
    for (let i = 0; i < loop.completed; i++) expected += 100 + Math.floor(i / streams);
    if (folded !== expected) throw new Error(`${subject.name} folded ${folded} events, expected ${expected}`);
    // events/s counts events folded; ops/s counts commands.
    return meter.end(folded, loop.completed, undefined, loop);
  },
};

/** Catch-up subscription from the start of one pre-written stream, until every event arrived. */
export const catchUp100k: Workload = {
  id: "catch-up-100k",
  title: "catch-up subscription over 100k events",
  unit: "subscription",
  // Emmett's in-memory store has no catch-up subscription; Ensign's Subscribe is live-only, so a
  // raw client has no catch-up to compare with (ours reads history by EnSQL, then follows live);
  // raw better-sqlite3 has no subscription at all, Emmett's SQLite store only processors.
  // pg-raw has none either; Emmett's PostgreSQL consumers poll in batches (not compared here).
  subjects: ALL_SUBJECTS.filter(
    (s: SubjectName) => !["emmett-mem", "ensign-raw", "sqlite-raw", "emmett-sqlite", "pg-raw", "emmett-pg", "ours-ensign-default"].includes(s),
  ),
  async run(context) {
    const { subject } = context;
    if (!subject.catchUp) throw new Error(`${subject.name} has no catch-up subscription`);
    const length = sized(
      {
        full: { memory: 100_000, network: 10_000 },
        quick: { memory: 20_000, network: 5000 },
        tiny: { memory: 200, network: 100 },
      },
      context,
    );
    const [warm] = await prefill(subject, context, "w", 1, Math.min(length, 1000));
    await subject.catchUp(warm!, Math.min(length, 1000));
    const [name] = await prefill(subject, context, "c", 1, length);
    const meter = new Meter({ serverPid: context.serverPid });
    meter.begin();
    await subject.catchUp(name!, length);
    return meter.end(length, 1);
  },
};

/**
 * Snapshots at a realistic interval: streams of 10k events plus a random tail of 0–99 (seeded),
 * written by commands through a handler that takes a snapshot every 100 events. Times the loads
 * with snapshots (the measurement) and without (extra), and the write cost of taking them: the
 * commands that wrote a snapshot against those that did not, amortised over the interval.
 */
export const snapshotsEvery100: Workload = {
  id: "snapshots-every-100",
  title: "load 10k-event streams with a random tail (0–99) from snapshots taken every 100 events",
  unit: "load (events = the events the state covers)",
  subjects: ["ours-mem"],
  async run(context) {
    const { subject } = context;
    if (!subject.loadState || !subject.handleWithSnapshots) throw new Error(`${subject.name} has no snapshot support`);
    const streams = context.size === "full" ? 4 : context.size === "quick" ? 2 : 1;
    const base = context.size === "tiny" ? 300 : 10_000;
    const random = seededRandom(context.seed + 7);
    const lengths = Array.from({ length: streams }, () => base + Math.floor(random() * 100));
    const commands = makeEvents(Math.max(...lengths), context.seed + 3);
    const names = lengths.map((_, i) => `${context.category}-snap${i}`);
    let plain = 0;
    let plainUs = 0;
    let snapshotting = 0;
    let snapshottingUs = 0;
    for (let s = 0; s < streams; s++) {
      for (let i = 0; i < lengths[s]!; i++) {
        const t = performance.now();
        const { snapshotWritten } = await subject.handleWithSnapshots(names[s]!, commands[i]!);
        const us = (performance.now() - t) * 1000;
        if (snapshotWritten) (snapshotting++, (snapshottingUs += us));
        else (plain++, (plainUs += us));
      }
    }
    const check = (state: { items: number }, s: number) => {
      if (state.items !== lengths[s]) throw new Error(`${subject.name} loaded ${state.items} events, expected ${lengths[s]}`);
    };
    for (let s = 0; s < streams; s++) check(await subject.loadState(names[s]!, true), s);
    const loads = context.size === "full" ? 2000 : context.size === "quick" ? 500 : 5;
    const without = new Meter();
    without.begin();
    const slow = Math.max(streams, Math.ceil(loads / 200));
    for (let i = 0; i < slow; i++) check(await subject.loadState(names[i % streams]!, false), i % streams);
    const withoutUs = (without.elapsed() * 1e6) / slow;
    const meter = new Meter({ serverPid: context.serverPid });
    meter.begin();
    let covered = 0;
    const loop = await timedLoop(meter, loads, async (i) => {
      const s = i % streams;
      check(await subject.loadState!(names[s]!, true), s);
      covered += lengths[s]!;
    });
    const result = meter.end(covered, loop.completed, undefined, loop);
    const withUs = (result.seconds * 1e6) / loop.completed;
    const commandUs = plainUs / Math.max(1, plain);
    const snapshotCommandUs = snapshottingUs / Math.max(1, snapshotting);
    return {
      ...result,
      extra: {
        loadWithSnapshotsUs: withUs,
        loadWithoutSnapshotsUs: withoutUs,
        loadSpeedup: withoutUs / withUs,
        meanTail: lengths.reduce((sum, n) => sum + (n % 100), 0) / streams,
        commandUs,
        snapshotCommandUs,
        // Extra time per command, spread over the interval, that taking snapshots costs.
        writeOverhead: (snapshotCommandUs - commandUs) / 100 / commandUs,
      },
    };
  },
};
