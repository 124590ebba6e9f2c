import { afterAll, describe, expect, it } from "vitest";
import { createSqliteEventStream } from "../../src/adapters/sqlite/index.js";
import { tempDirectory } from "./temp-files.js";

const temp = tempDirectory("paged");
afterAll(() => temp.remove());

const EVENTS = 100_000;

describe("sqlite: the synchronous driver does not freeze the event loop", () => {
  it(`a timer keeps firing while ${EVENTS / 1000}k events are read`, async () => {
    const store = await createSqliteEventStream({ path: temp.file("big.db") });
    try {
      // Seeded in SQL, as appends would store them, so the test spends its time on the read.
      await store.append("big-1", [{ type: "e", data: { n: 0 } }]);
      store.database
        .prepare(
          `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
           INSERT INTO switchyard_events (stream, revision, event_id, type, content_type, schema_version, data, metadata, created_at, id_given)
           SELECT 'big-1', i, lower(hex(randomblob(16))), 'e', 'application/json', 1, CAST('{"n":' || i || '}' AS BLOB), '{}', 0, 0 FROM n`,
        )
        .run(EVENTS - 1);
      const gaps: number[] = [];
      let last = performance.now();
      const timer = setInterval(() => {
        const now = performance.now();
        gaps.push(now - last);
        last = now;
      }, 5);
      const started = performance.now();
      let count = 0;
      try {
        for await (const _ of store.readAll()) count++;
      } finally {
        clearInterval(timer);
      }
      const elapsed = performance.now() - started;
      expect(count).toBe(EVENTS);
      // One chunk is a few milliseconds; the timer fires throughout, never held up for long.
      expect(gaps.length).toBeGreaterThan(elapsed / 100);
      expect(Math.max(...gaps)).toBeLessThan(250);
    } finally {
      await store.close();
    }
  }, 60_000);
});
