// An interrupted copy: the child is killed (SIGKILL, no chance to save) mid-way, and the next run
// resumes from the checkpoint file with no event written twice, checked by --verify and by reading
// the target's $all.
import { readFileSync, existsSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { connect } from "../../src/connect.js";
import { runCli, spawnCli, tempDirectory } from "./cli.js";
import { events } from "./seed.js";

const temp = tempDirectory("resume");
afterAll(() => temp.remove());

const STREAMS = 30;
const PER_STREAM = 100;
const TOTAL = STREAMS * PER_STREAM;

async function allEvents(url: string): Promise<string[]> {
  const store = await connect(url);
  try {
    const seen: string[] = [];
    for await (const event of store.readAll()) seen.push(`${event.streamId}@${event.revision} ${event.id}`);
    return seen;
  } finally {
    await store.close();
  }
}

function copiedSoFar(file: string): number {
  if (!existsSync(file)) return 0;
  return (JSON.parse(readFileSync(file, "utf8")) as { copiedEvents: number }).copiedEvents;
}

describe("switchyard copy, interrupted and resumed", () => {
  it("a killed copy resumes from its checkpoint file and ends with every event once", async () => {
    const from = `sqlite:${temp.file("source.db")}`;
    const to = `sqlite:${temp.file("target.db")}`;
    const checkpoint = temp.file("copy.checkpoint.json");
    const source = await connect(from);
    for (let s = 0; s < STREAMS; s++) await source.append(`order-${s}`, events(PER_STREAM));
    await source.close();

    // One event per append, so the copy takes thousands of writes: long enough to be killed mid-way.
    const args = ["copy", from, to, "--checkpoint", checkpoint, "--batch", "1"];
    const child = spawnCli(args);
    const exited = new Promise<void>((done) => child.once("exit", () => done()));
    while (copiedSoFar(checkpoint) < 300 && child.exitCode === null) await sleep(10);
    child.kill("SIGKILL");
    await exited;
    const before = copiedSoFar(checkpoint);
    const written = (await allEvents(to)).length;
    expect(written).toBeGreaterThanOrEqual(before);
    expect(written).toBeLessThan(TOTAL);

    const resumed = await runCli([...args, "--verify", "--json"]);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain(`resuming from ${checkpoint}: ${before} event(s) copied before`);
    const report = JSON.parse(resumed.stdout) as { copied: number; alreadyThere: number; verify: { events: number; differences: number } };
    // Events the killed run wrote after its last checkpoint are re-sent with their ids at their
    // revisions: the target takes them as idempotent retries, or the expected-revision check finds
    // them by id (alreadyThere). Either way the target ends with each event once (below).
    expect(before + report.alreadyThere + report.copied).toBe(TOTAL);
    expect(report.verify).toMatchObject({ events: TOTAL, differences: 0 });
    const target = await allEvents(to);
    expect(target).toHaveLength(TOTAL);
    expect(target).toEqual(await allEvents(from));
    expect(JSON.parse(readFileSync(checkpoint, "utf8"))).toMatchObject({ complete: true, copiedEvents: TOTAL });
  });
});
