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
  subjects: ALL_SUBJECTS,
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
  subjects: ALL_SUBJECTS.filter((s: SubjectName) => s !== "emmett-mem"),
  async run(context) {
    const { subject } = context;
    if (!subject.catchUp) throw new Error(`${subject.name} has no catch-up subscription`);
    const length = sized(
      {
        full: { memory: 100_000, network: 30_000 },
        quick: { memory: 20_000, network: 10_000 },
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
