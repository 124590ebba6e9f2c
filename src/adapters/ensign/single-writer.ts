import { WrongExpectedRevisionError } from "../../core/errors.js";
import type { ExpectedRevision } from "../../core/event.js";

/**
 * `consistency=single-writer`: Ensign cannot check an expected revision, so the adapter checks it
 * against its own view of the stream, with appends to one stream serialised inside this process.
 * Correct only while this process is the stream's only writer: another process can append
 * between the check and the publish.
 */
const locks = new Map<string, Promise<unknown>>();

/** Appends made through the lock, per key: a view that saw fewer must re-read before checking. */
export interface WriteMark {
  readonly generation: number;
  /** Id of the last event of the last append, when it succeeded: a re-read must show it. */
  readonly lastId: string | undefined;
}

const marks = new Map<string, WriteMark>();

export function writeMark(key: string): WriteMark {
  return marks.get(key) ?? { generation: 0, lastId: undefined };
}

/** Called inside the lock after every append (also failed ones: part of it may be stored). */
export function bumpWriteGeneration(key: string, lastId: string | undefined): number {
  const generation = writeMark(key).generation + 1;
  marks.set(key, { generation, lastId });
  return generation;
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

/** `length`: how many events the stream has in the writer's view (0: no stream). */
export function checkExpectedRevision(stream: string, expected: ExpectedRevision, length: number): void {
  const current = length > 0 ? BigInt(length) - 1n : undefined;
  if (expected === "any") return;
  if (expected === "no_stream") {
    if (current !== undefined) throw new WrongExpectedRevisionError(stream, expected, current);
  } else if (expected === "stream_exists") {
    if (current === undefined) throw new WrongExpectedRevisionError(stream, expected, "no_stream");
  } else if (current !== expected) {
    throw new WrongExpectedRevisionError(stream, expected, current ?? "no_stream");
  }
}
