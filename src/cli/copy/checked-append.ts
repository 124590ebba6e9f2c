// Writes a batch at the revisions it must land on, with an expected revision on every append. When
// the target is already past that point the events there are compared by id: the same ids mean an
// interrupted run wrote them (skipped, so nothing is duplicated); anything else is a conflict.
import type { ErrorCode } from "../../core/errors.js";
import type { EventData } from "../../core/event.js";
import type { EventStream } from "../../core/event-stream.js";

/** The target holds other events where the copy must write: it was not empty, or someone else wrote. */
export class CopyConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CopyConflictError";
  }
}

export interface CheckedAppendResult {
  /** Events written now. */
  readonly written: number;
  /** Events found already there with the same ids (written by an interrupted run). */
  readonly alreadyThere: number;
}

/** Appends `events` as revisions `firstRevision`, `firstRevision + 1`, … of `stream` in the target. */
export async function appendAt(target: EventStream, stream: string, events: readonly EventData[], firstRevision: bigint): Promise<CheckedAppendResult> {
  let start = firstRevision;
  let rest = events;
  let alreadyThere = 0;
  for (;;) {
    try {
      await target.append(stream, rest, { expectedRevision: start === 0n ? "no_stream" : start - 1n });
      return { written: rest.length, alreadyThere };
    } catch (error) {
      if (!hasCode(error, "WRONG_EXPECTED_REVISION")) throw error;
      const actual = (error as { actual?: unknown }).actual;
      if (typeof actual !== "bigint" || actual < start) {
        throw new CopyConflictError(
          `target stream "${stream}" is at ${String(actual)} where the copy expected ${start === 0n ? "no stream" : `revision ${start - 1n}`}: it was changed outside this copy`,
        );
      }
      const overlap = Math.min(rest.length, Number(actual - start + 1n));
      const present = await idsAt(target, stream, start, overlap);
      for (let i = 0; i < overlap; i++) {
        const id = present.get(start + BigInt(i));
        // A revision hidden by the target's retention cannot be compared; the revision says it is there.
        if (id !== undefined && id !== rest[i]!.id) {
          throw new CopyConflictError(
            `target stream "${stream}" already has another event at revision ${start + BigInt(i)} (id ${id}, the source's is ${rest[i]!.id}): copy into an empty store, or leave that stream out`,
          );
        }
      }
      alreadyThere += overlap;
      rest = rest.slice(overlap);
      start += BigInt(overlap);
      if (rest.length === 0) return { written: 0, alreadyThere };
    }
  }
}

async function idsAt(target: EventStream, stream: string, from: bigint, count: number): Promise<Map<bigint, string>> {
  const ids = new Map<bigint, string>();
  for await (const event of target.read(stream, { from, maxCount: count })) ids.set(event.revision, event.id);
  return ids;
}

function hasCode(error: unknown, code: ErrorCode): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === code;
}
