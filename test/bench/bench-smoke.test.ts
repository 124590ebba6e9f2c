import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, "../..");
const COMMITTED = join(ROOT, "bench/results/latest.json");

const digest = (path: string) => (existsSync(path) ? createHash("sha256").update(readFileSync(path)).digest("hex") : "absent");

/**
 * Runs the whole benchmark on its tiny profile (1 round, a few events per cell) so it cannot rot:
 * every child process, emulator and the report must work. Checks structure, never timings.
 */
describe("npm run bench (tiny smoke run)", () => {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-bench-smoke-"));
  const out = join(dir, "results.json");
  const md = join(dir, "benchmarks.md");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("runs every cell and writes the JSON report and the markdown", { timeout: 290_000 }, async () => {
    const before = digest(COMMITTED);
    await run(join(ROOT, "node_modules/.bin/tsx"), ["bench/run.ts", "--tiny", "--out", out, "--md", md], {
      cwd: ROOT,
      timeout: 280_000,
    });
    expect(digest(COMMITTED)).toBe(before);

    const report = JSON.parse(readFileSync(out, "utf8"));
    expect(report.mode).toBe("tiny");
    expect(report.failures).toEqual([]);
    expect(report.environment).toMatchObject({
      node: process.version,
      cores: expect.any(Number),
      cpuModel: expect.any(String),
      gitSha: expect.any(String),
    });
    expect(report.environment.packages).toHaveProperty("@event-driven-io/emmett");

    const included = Object.entries(report.subjects as Record<string, { included: boolean }>)
      .filter(([, s]) => s.included)
      .map(([name]) => name);
    expect(included).toEqual(expect.arrayContaining(["floor", "emmett-mem", "ours-mem"]));
    for (const subject of included) {
      const append = report.results[subject]?.["append-1"];
      expect(append, `${subject} append-1`).toMatchObject({
        eventsPerSec: expect.any(Number),
        opsPerSec: expect.any(Number),
        p50Us: expect.any(Number),
        p99Us: expect.any(Number),
        cpuUsPerEvent: expect.any(Number),
      });
      expect(append.eventsPerSec).toBeGreaterThan(0);
    }

    const { ratios } = report;
    expect(included).toEqual(expect.arrayContaining(["json-floor"]));
    for (const key of ["append1", "read10k", "fold100"]) {
      expect(typeof ratios.memVsJsonFloor[key], `memVsJsonFloor.${key}`).toBe("number");
    }
    // A tiny run appends 200 events: a heap difference that small can be noise or even negative, so
    // the bytes ratio may be unmeasured (the generic check below wants its reason then).
    expect(report.ratioDetails.map((d: { key: string }) => d.key)).toContain("memVsJsonFloor.heapBytes1m");
    for (const what of ["append", "read", "fold"]) {
      for (const size of ["1k", "10k"]) expect(typeof ratios.memVsEmmett[what][size], `memVsEmmett.${what}.${size}`).toBe("number");
    }
    // No ratio compares a subject with itself.
    for (const detail of report.ratioDetails as { key: string; numerator: { subject: string }; denominator: { subject: string } }[]) {
      expect(detail.numerator.subject, detail.key).not.toBe(detail.denominator.subject);
    }
    expect(typeof report.figures.memory.bytesPerEvent).toBe("number");
    expect(typeof report.figures.memory.floorBytesPerEvent).toBe("number");
    expect(report.figures.snapshots.loadSpeedup).toBeGreaterThan(0);
    expect(report.sizeTable.map((row: { subject: string }) => row.subject)).toEqual(expect.arrayContaining(["ours-mem", "json-floor"]));
    if (included.includes("ours-esdb") && included.includes("esdb-raw")) {
      for (const key of ["appendBatch10", "appendBatch100", "read100", "read10k"]) {
        expect(typeof ratios.esdbVsRaw[key], `esdbVsRaw.${key}`).toBe("number");
      }
    }
    if (included.includes("ours-ensign") && included.includes("ensign-raw")) {
      expect(typeof ratios.ensignVsRaw.appendBatch100).toBe("number");
      expect(typeof ratios.ensignDefaultVsRaw.appendBatch100).toBe("number");
    }
    if (included.includes("ours-nats") && included.includes("nats-raw")) {
      for (const key of ["append1", "appendBatch10", "appendBatch100", "concurrent8"]) {
        expect(typeof ratios.natsVsRaw[key], `natsVsRaw.${key}`).toBe("number");
        expect(typeof ratios.nats3VsRaw[key], `nats3VsRaw.${key}`).toBe("number");
      }
    }
    if (included.includes("ours-pg")) {
      for (const key of ["append1", "appendBatch100", "concurrent8", "read10k"]) {
        expect(typeof ratios.pgVsRaw[key], `pgVsRaw.${key}`).toBe("number");
        expect(typeof ratios.pgVsEmmettPg[key], `pgVsEmmettPg.${key}`).toBe("number");
      }
    }
    // Every ratio has a value or says why not.
    for (const detail of report.ratioDetails as { key: string; median: number | null; missing?: string }[]) {
      if (detail.median === null) expect(detail.missing, detail.key).toEqual(expect.any(String));
      else expect(detail.median, detail.key).toBeGreaterThan(0);
    }
    for (const target of report.targets as { ratio: string; target: number }[]) {
      expect(target.target).toBeGreaterThan(0);
    }

    const markdown = readFileSync(md, "utf8");
    expect(markdown).toContain("## Environment");
    expect(markdown).toContain("## Targets");
    expect(markdown).toContain("memVsJsonFloor.append1");
    expect(markdown).toContain("## Cost against stream size (memory)");
  });
});
