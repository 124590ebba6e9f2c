import { afterAll, describe, expect, it } from "vitest";
import { createSqliteEventStream } from "../../src/adapters/sqlite/index.js";
import type { RecordedEvent } from "../../src/core/event.js";
import { collect } from "../../src/testing/conformance/context.js";
import { startChild } from "./processes.js";
import { tempDirectory } from "./temp-files.js";

const temp = tempDirectory("crash");
afterAll(() => temp.remove());

describe("sqlite: crash safety", () => {
  it("SIGKILL in the middle of appends leaves every acknowledged batch, whole, and no partial batch", async () => {
    const file = temp.file("crash.db");
    const writer = startChild("append-forever", file);
    // Let it acknowledge a good number of batches, then kill it without warning.
    await writer.waitFor((line) => typeof line === "number" && line >= 150, 15_000);
    writer.process.kill("SIGKILL");
    await writer.exited;
    const acknowledged = writer.lines.filter((l): l is number => typeof l === "number");

    const store = await createSqliteEventStream({ path: file });
    try {
      const all: RecordedEvent[] = await collect(store.readAll());
      const byBatch = new Map<number, number[]>();
      for (const event of all) {
        const { batch, i } = event.data as { batch: number; i: number };
        byBatch.set(batch, [...(byBatch.get(batch) ?? []), i]);
      }
      // Every acknowledged batch is stored; at most the one in flight is stored beyond them.
      for (const batch of acknowledged) expect(byBatch.has(batch), `batch ${batch}`).toBe(true);
      expect(byBatch.size - acknowledged.length).toBeLessThanOrEqual(1);
      // No batch is partly stored, and each is contiguous in its stream.
      for (const [batch, items] of byBatch) expect(items, `batch ${batch}`).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      for (let s = 0; s < 7; s++) {
        const events = await collect(store.read(`crash-${s}`));
        expect(events.every((e, n) => e.revision === BigInt(n))).toBe(true);
      }
      console.log(
        `[figures] sqlite crash: ${acknowledged.length} batches acknowledged before SIGKILL, ${byBatch.size} stored whole ` +
          `(${byBatch.size - acknowledged.length} committed but not yet acknowledged), 0 partial`,
      );
      // The file takes new writes after the crash.
      await store.append("crash-0", [{ type: "after", data: {} }]);
    } finally {
      await store.close();
    }
  }, 30_000);
});
