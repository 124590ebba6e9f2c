import { makeEvents } from "../events.js";
import { Meter, timedLoop } from "../measure.js";
import type { SubjectName } from "../types.js";
import { prefill } from "./read.js";
import { ALL_SUBJECTS, sampleEvery, sized, type Workload } from "./workload.js";

/** One "add item" command per stream of 100 events: load, fold, decide, append (expected revision). */
export const fold100: Workload = {
  id: "fold-100",
  title: "command handler over a 100-event stream",
  unit: "command",
  // ensign-raw has no expected revisions, so no command handler to measure.
  subjects: ALL_SUBJECTS.filter((s) => s !== "ensign-raw"),
  async run(context) {
    const { subject } = context;
    const streams = sized(
      {
        full: { memory: 1000, network: 100 },
        quick: { memory: 400, network: 40 },
        tiny: { memory: 3, network: 2 },
      },
      context,
    );
    const warm = Math.max(1, Math.ceil(streams / 10));
    const warmNames = await prefill(subject, context, "w", warm, 100);
    const names = await prefill(subject, context, "f", streams, 100);
    const commands = makeEvents(streams, context.seed + 1);
    for (let i = 0; i < warm; i++) await subject.handle(warmNames[i]!, commands[i]!);
    const meter = new Meter({ serverPid: context.serverPid, sampleEvery: sampleEvery(subject.family) });
    let folded = 0;
    meter.begin();
    const loop = await timedLoop(
      meter,
      streams,
      async (i) => {
        folded += (await subject.handle(names[i]!, commands[i]!)).items;
      },
      context.budgetSeconds,
    );
    if (folded !== loop.completed * 100) {
      throw new Error(`${subject.name} folded ${folded} events, expected ${loop.completed * 100}`);
    }
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
  subjects: ALL_SUBJECTS.filter((s: SubjectName) => !["emmett-mem", "ensign-raw", "sqlite-raw", "emmett-sqlite"].includes(s)),
  async run(context) {
    const { subject } = context;
    if (!subject.catchUp) throw new Error(`${subject.name} has no catch-up subscription`);
    const length = sized(
      {
        full: { memory: 100_000, network: 30_000 },
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

const LOAD_LENGTH = 10_000;

/** Loads a 10k-event stream's state through the command handler, with or without a snapshot. */
function loadWorkload(useSnapshots: boolean): Workload {
  return {
    id: useSnapshots ? "load-10k-snapshot" : "load-10k",
    title: `load a 10k-event stream through the command handler, ${useSnapshots ? "from a snapshot" : "no snapshot"}`,
    unit: "load (events = the 10k events the state covers)",
    subjects: ["ours-mem"],
    async run(context) {
      const { subject } = context;
      if (!subject.loadState || !subject.snapshot) throw new Error(`${subject.name} has no snapshot support`);
      const loads = sized(
        {
          full: { memory: useSnapshots ? 20_000 : 20, network: 0 },
          quick: { memory: useSnapshots ? 5000 : 5, network: 0 },
          tiny: { memory: 3, network: 0 },
        },
        context,
      );
      const length = context.size === "tiny" ? 300 : LOAD_LENGTH;
      const [name] = await prefill(subject, context, "l", 1, length);
      await subject.snapshot(name!);
      const expected = length + 1;
      const check = (state: { items: number }) => {
        if (state.items !== expected) throw new Error(`${subject.name} loaded ${state.items} events, expected ${expected}`);
      };
      check(await subject.loadState(name!, useSnapshots));
      const meter = new Meter({ serverPid: context.serverPid });
      meter.begin();
      const loop = await timedLoop(meter, loads, async () => check(await subject.loadState!(name!, useSnapshots)), context.budgetSeconds);
      return meter.end(loop.completed * expected, loop.completed, undefined, loop);
    },
  };
}

export const load10k = loadWorkload(false);
export const load10kSnapshot = loadWorkload(true);
