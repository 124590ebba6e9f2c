import { afterAll, describe, expect, it } from "vitest";
import { createSqliteEventStream } from "../../src/adapters/sqlite/index.js";
import { collect } from "../../src/testing/conformance/context.js";
import { startChild, type Child } from "./processes.js";
import { tempDirectory } from "./temp-files.js";

const temp = tempDirectory("processes");
const children: Child[] = [];
afterAll(async () => {
  for (const child of children) child.process.kill("SIGKILL");
  await Promise.all(children.map((c) => c.exited));
  temp.remove();
});

function child(...args: string[]): Child {
  const started = startChild(...args);
  children.push(started);
  return started;
}

describe("sqlite: several processes on one file", () => {
  it("a subscription in another process sees this process's appends (data_version polling)", async () => {
    const file = temp.file("shared.db");
    const store = await createSqliteEventStream({ path: file });
    const subscriber = child("subscribe", file);
    await subscriber.waitFor((line) => line === "ready", 10_000);
    const latencies: number[] = [];
    for (let n = 0; n < 5; n++) {
      const sent = Date.now();
      await store.append(`order-${n}`, [{ type: "placed", data: { n } }]);
      const seen = (await subscriber.waitFor((l) => (l as { data?: { n: number } }).data?.n === n, 5_000)) as { at: number };
      latencies.push(seen.at - sent);
    }
    await store.close();
    console.log(`[figures] sqlite: another process's subscription saw appends after ${latencies.join(", ")} ms (polling every 20 ms)`);
    expect(subscriber.lines.filter((l) => l !== "ready")).toHaveLength(5);
    // The child polls every 20 ms; well under a second even on a loaded machine.
    expect(Math.max(...latencies)).toBeLessThan(1_000);
  }, 20_000);

  it("two processes appending with expectedRevision no_stream: exactly one wins each round", async () => {
    const file = temp.file("race.db");
    const rounds = 40;
    const store = await createSqliteEventStream({ path: file });
    const [a, b] = [child("race", file, String(rounds)), child("race", file, String(rounds))];
    await Promise.all([a, b].map((c) => c.waitFor((line) => line === "ready", 10_000)));
    for (let round = 0; round < rounds; round++) {
      a.send("go");
      b.send("go");
      const done = (line: unknown) => (line as { round?: number }).round === round;
      await Promise.all([a.waitFor(done, 5_000), b.waitFor(done, 5_000)]);
    }
    const results = [...a.lines, ...b.lines].filter((l): l is { round: number; won: boolean } => typeof l === "object");
    for (let round = 0; round < rounds; round++) {
      const wins = results.filter((r) => r.round === round && r.won).length;
      expect(wins, `round ${round}`).toBe(1);
      expect(await collect(store.read(`race-${round}`))).toHaveLength(1);
    }
    // Both processes won some rounds: they really raced.
    const aWins = a.lines.filter((l) => (l as { won?: boolean }).won === true).length;
    expect(aWins).toBeGreaterThan(0);
    expect(aWins).toBeLessThan(rounds);
    await store.close();
  }, 30_000);

  it("consumers in two processes share one persistent group: every event delivered once", async () => {
    const file = temp.file("group.db");
    const store = await createSqliteEventStream({ path: file });
    await store.persistentSubscriptions.create({ stream: "jobs-1" }, "workers", { startFrom: "start" });
    const consumers = [child("consume", file, "jobs-1"), child("consume", file, "jobs-1")];
    await Promise.all(consumers.map((c) => c.waitFor((line) => line === "ready", 10_000)));
    const total = 60;
    for (let n = 0; n < total; n += 10) {
      await store.append("jobs-1", Array.from({ length: 10 }, (_, i) => ({ type: "job", data: { n: n + i } })));
    }
    const delivered = () => consumers.flatMap((c) => c.lines.filter((l) => typeof l === "object")) as { n: number }[];
    const deadline = Date.now() + 10_000;
    while (delivered().length < total && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const seen = delivered().map((d) => d.n).sort((x, y) => x - y);
    expect(seen).toEqual(Array.from({ length: total }, (_, n) => n));
    await store.close();
  }, 30_000);
});
