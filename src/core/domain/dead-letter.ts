import { isStreamNotFoundError, isSwitchyardError } from "../errors.js";
import type { RecordedEvent } from "../event.js";
import type { EventStream } from "../event-stream.js";
import { deterministicUuid } from "./ids.js";

/** The event type of every dead letter. */
export const DEAD_LETTER_EVENT_TYPE = "DeadLetter";

/** Where an event that could not be used was parked, and why. */
export interface DeadLetter {
  /** Who gave up on it: "validation" (a stored event failing its schema) or "projection:<name>". */
  readonly source: string;
  readonly streamId: string;
  readonly revision: string;
  readonly position: string;
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly error: { readonly message: string; readonly code?: string; readonly field?: string };
  /** The original data when it was JSON; other content types are referenced by id only. */
  readonly data?: unknown;
  /** How many times handling was attempted before giving up. */
  readonly attempts: number;
}

/**
 * Appends a dead letter for `event`. Its id is derived from the source and the event id, so a
 * process that dead-letters the same event again (after a restart) does not duplicate it on
 * backends that de-duplicate by id.
 */
export async function sendToDeadLetter(
  eventStream: EventStream,
  deadLetterStream: string,
  event: RecordedEvent,
  source: string,
  error: unknown,
  attempts: number,
): Promise<void> {
  const letter: DeadLetter = {
    source,
    streamId: event.streamId,
    revision: event.revision.toString(),
    position: event.position.toString(),
    eventId: event.id,
    type: event.type,
    schemaVersion: event.schemaVersion,
    error: describeError(error),
    ...(event.contentType === "application/json" ? { data: event.data } : {}),
    attempts,
  };
  await eventStream.append(deadLetterStream, [
    {
      type: DEAD_LETTER_EVENT_TYPE,
      data: letter,
      id: deterministicUuid(`dead-letter:${source}`, event.id),
      metadata: { causationId: event.id, ...(event.metadata.correlationId ? { correlationId: event.metadata.correlationId } : {}) },
    },
  ]);
}

/** Reads the dead letters of a stream (none when the stream does not exist). */
export async function readDeadLetters(eventStream: EventStream, deadLetterStream: string): Promise<DeadLetter[]> {
  const letters: DeadLetter[] = [];
  try {
    for await (const event of eventStream.read(deadLetterStream)) {
      if (event.type === DEAD_LETTER_EVENT_TYPE) letters.push(event.data as DeadLetter);
    }
  } catch (error) {
    if (!isStreamNotFoundError(error)) throw error;
  }
  return letters;
}

function describeError(error: unknown): DeadLetter["error"] {
  if (isSwitchyardError(error)) {
    const field = (error as { field?: unknown }).field;
    return { message: error.message, code: error.code, ...(typeof field === "string" ? { field } : {}) };
  }
  if (error instanceof Error) return { message: error.message };
  return { message: String(error) };
}
