import { isWrongExpectedRevisionError, type WrongExpectedRevisionError } from "../../core/errors.js";
import type { ExpectedRevision } from "../../core/event.js";
import type { EventStream } from "../../core/event-stream.js";
import { collect, uniqueStream, type SuiteContext } from "./context.js";

const WRITERS = 50;
const APPENDS_PER_WRITER = 20;

async function currentRevision(store: EventStream, stream: string): Promise<ExpectedRevision> {
  try {
    for await (const last of store.read(stream, { direction: "backwards", from: "end", maxCount: 1 })) return last.revision;
    return "no_stream";
  } catch (error) {
    if ((error as { code?: string }).code === "STREAM_NOT_FOUND") return "no_stream";
    throw error;
  }
}

// A writer that keeps losing backs off up to a second: with a lower ceiling, 50 writers against a
// server that answers one at a time spend most of its time on attempts that are bound to conflict
// (the EventStoreDB emulator took 35–90 s with 64 ms, 15–37 s with 1 s on a busy 2-core machine).
function backoff(attempt: number): Promise<void> {
  const ceilingMs = Math.min(1_000, 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceilingMs));
}

export function concurrencyCases(ctx: SuiteContext): void {
  const { test, describe, expect } = ctx;
  describe("concurrency", () => {
    test(
      `${WRITERS} writers × ${APPENDS_PER_WRITER} appends with expected revisions: exactly ${WRITERS * APPENDS_PER_WRITER} events, no gaps, every conflict typed`,
      ["expectedRevision", "readBackward"],
      async () => {
        const stream = uniqueStream();
        const conflicts: WrongExpectedRevisionError[] = [];
        const writer = async (w: number) => {
          let consecutiveConflicts = 0;
          for (let n = 0; n < APPENDS_PER_WRITER; ) {
            const expected = await currentRevision(ctx.store(), stream);
            try {
              await ctx.store().append(stream, [{ type: "written", data: { w, n } }], { expectedRevision: expected });
              n++;
              consecutiveConflicts = 0;
            } catch (error) {
              if (!isWrongExpectedRevisionError(error)) throw error;
              expect(error.expected).toBe(expected);
              expect(error.actual).not.toBe(expected);
              expect(error.actual === "no_stream" || typeof error.actual === "bigint").toBe(true);
              conflicts.push(error);
              // Jittered exponential backoff, as a real writer would: without it 50 writers make
              // ~50 attempts per success, which only measures the server's round-trip time.
              consecutiveConflicts++;
              await backoff(consecutiveConflicts);
            }
          }
        };
        await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
        const events = await collect(ctx.store().read(stream));
        expect(events.length).toBe(WRITERS * APPENDS_PER_WRITER);
        expect(events.every((e, i) => e.revision === BigInt(i))).toBe(true);
        const keys = new Set(events.map((e) => JSON.stringify(e.data)));
        expect(keys.size).toBe(WRITERS * APPENDS_PER_WRITER);
        // With 50 writers racing for one stream, conflicts are certain.
        expect(conflicts.length).toBeGreaterThan(0);
      },
      180_000,
    );

    test("concurrent batches without expected revision stay whole and contiguous", ["atomicAppend"], async () => {
      const stream = uniqueStream();
      await Promise.all(
        Array.from({ length: 10 }, (_, b) =>
          ctx.store().append(stream, Array.from({ length: 5 }, (_, i) => ({ type: "batched", data: { b, i } }))),
        ),
      );
      const events = await collect(ctx.store().read(stream));
      expect(events.length).toBe(50);
      for (let start = 0; start < 50; start += 5) {
        const batch = events.slice(start, start + 5).map((e) => e.data as { b: number; i: number });
        expect(new Set(batch.map((d) => d.b)).size).toBe(1);
        expect(batch.map((d) => d.i)).toEqual([0, 1, 2, 3, 4]);
      }
    });
  });
}
