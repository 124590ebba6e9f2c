import { WrongExpectedRevisionError } from "../../core/errors.js";
import type { ExpectedRevision } from "../../core/event.js";
import type { NumberedEntry } from "./topic-log.js";

/**
 * `consistency=single-writer`: Ensign cannot check an expected revision, so the adapter checks it
 * against its own freshly read view of the stream, with appends to one stream serialised inside
 * this process. Correct only while this process is the stream's only writer: another process
 * can append between the check and the publish.
 */
const locks = new Map<string, Promise<unknown>>();
/** Appends made through the lock, per key: a view that saw fewer must re-read before checking. */
const generations = new Map<string, number>();

export function writeGeneration(key: string): number {
  return generations.get(key) ?? 0;
}

/** Called (inside the lock) after an append whose events are readable. */
export function bumpWriteGeneration(key: string): number {
  const next = writeGeneration(key) + 1;
  generations.set(key, next);
  return next;
}

export async function withWriterLock<T>(key: string, work: () => Promise<T>): Promise<T> {
  const previous = locks.get(key) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(work);
  const tail = run.catch(() => undefined);
  locks.set(key, tail);
  try {
    return await run;
  } finally {
    if (locks.get(key) === tail) locks.delete(key);
  }
}

export function checkExpectedRevision(stream: string, expected: ExpectedRevision, list: readonly NumberedEntry[] | undefined): void {
  const current = list && list.length > 0 ? BigInt(list.length) - 1n : undefined;
  if (expected === "any") return;
  if (expected === "no_stream") {
    if (current !== undefined) throw new WrongExpectedRevisionError(stream, expected, current);
  } else if (expected === "stream_exists") {
    if (current === undefined) throw new WrongExpectedRevisionError(stream, expected, "no_stream");
  } else if (current !== expected) {
    throw new WrongExpectedRevisionError(stream, expected, current ?? "no_stream");
  }
}
