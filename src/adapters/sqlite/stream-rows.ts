import { WrongExpectedRevisionError } from "../../core/errors.js";
import type { ExpectedRevision } from "../../core/event.js";
import type { StreamMetadata } from "../../core/event-stream.js";

/**
 * A stream's row: what hides part of it (soft delete, tombstone, retention settings). Most streams
 * never have one; their last revision is read from the events' index, so an append writes no row.
 */
export interface StreamRow {
  /** Revisions below this were removed by a soft delete. */
  readonly deleted_before: number;
  readonly soft_deleted: 0 | 1;
  readonly tombstoned: 0 | 1;
  readonly max_count: number | null;
  readonly max_age_seconds: number | null;
  readonly truncate_before: number | null;
}

/** A stream as the rules see it: its row (defaults without one) and its last revision. */
export interface StreamState extends StreamRow {
  /** Last revision written; -1 for a stream that has a row but no event yet. */
  readonly revision: number;
}

export const NO_ROW: StreamRow = {
  deleted_before: 0,
  soft_deleted: 0,
  tombstoned: 0,
  max_count: null,
  max_age_seconds: null,
  truncate_before: null,
};

/** The revision a stream is at for expected-revision checks: undefined when it does not exist. */
export function currentRevision(row: StreamState | undefined): bigint | undefined {
  if (!row || row.soft_deleted || row.revision < 0) return undefined;
  return BigInt(row.revision);
}

export function checkExpectedRevision(stream: string, row: StreamState | undefined, expected: ExpectedRevision): void {
  if (expected === "any") return;
  const current = currentRevision(row);
  const ok =
    expected === "no_stream" ? current === undefined
    : expected === "stream_exists" ? current !== undefined
    : current === expected;
  if (!ok) throw new WrongExpectedRevisionError(stream, expected, current ?? "no_stream");
}

/** The first revision a reader may see, after soft delete, truncation and max count. */
export function firstVisibleRevision(row: StreamState): number {
  let first = row.deleted_before;
  if (row.truncate_before !== null && row.truncate_before > first) first = row.truncate_before;
  if (row.max_count !== null) first = Math.max(first, row.revision + 1 - row.max_count);
  return first;
}

/** The oldest creation time a reader may see under `maxAgeSeconds`, or 0. */
export function oldestVisibleTime(row: StreamRow, now: number): number {
  return row.max_age_seconds === null ? 0 : now - row.max_age_seconds * 1000;
}

export function metadataOf(row: StreamRow | undefined): StreamMetadata {
  const metadata: StreamMetadata = {};
  if (row?.max_count != null) metadata.maxCount = row.max_count;
  if (row?.max_age_seconds != null) metadata.maxAgeSeconds = row.max_age_seconds;
  if (row?.truncate_before != null) metadata.truncateBefore = BigInt(row.truncate_before);
  return metadata;
}
