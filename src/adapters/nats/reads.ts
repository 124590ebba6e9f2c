import type { CodecRegistry } from "../../core/codec.js";
import type { ReadAllRequest, ReadRequest } from "../../core/driver.js";
import { StreamDeletedError, StreamNotFoundError } from "../../core/errors.js";
import type { RecordedEvent } from "../../core/event.js";
import type { EventFilter } from "../../core/event-stream.js";
import type { Connection, Store } from "./connection.js";
import { entryOf, toRecordedEvent, type Entry } from "./event-mapping.js";
import { previousOf, tailOf } from "./messages.js";
import { seqOf } from "./positions.js";
import { PAGE, scan } from "./scan.js";

/** Below this many events from the tail, a forward read walks back from the tail instead of scanning the stream. */
const WALK_BACK_LIMIT = 32n;

type EventEntry = Extract<Entry, { kind: "event" }>;

/** The stream's newest message, checked: a missing or soft-deleted stream is not found, a tombstoned one deleted. */
async function liveTail(store: Store, connection: Connection, stream: string, subject: string): Promise<EventEntry> {
  const tail = await tailOf(store, connection.streamName, subject);
  if (tail?.kind === "marker" && tail.marker === "tombstone") throw new StreamDeletedError(stream);
  if (tail?.kind !== "event") throw new StreamNotFoundError(stream);
  return tail;
}

/** The events of a stream from `tail` backwards, down to revision `down` (inclusive). */
async function* walkBack(store: Store, name: string, tail: Entry, down: bigint): AsyncGenerator<EventEntry> {
  for (let entry: Entry | undefined = tail; entry !== undefined && entry.revision >= down; entry = await previousOf(store, name, entry)) {
    if (entry.kind === "event") yield entry;
  }
}

export async function* readStream(connection: Connection, codecs: CodecRegistry, request: ReadRequest): AsyncGenerator<RecordedEvent> {
  const { stream, direction, from, maxCount } = request;
  const subject = connection.layout.of(stream);
  const name = connection.streamName;
  const store = await connection.store();
  const translate = (error: unknown) => connection.translate(error, { operation: `read "${stream}"` });
  let tail: EventEntry;
  try {
    tail = await liveTail(store, connection, stream, subject);
  } catch (error) {
    throw translate(error);
  }
  const limit = maxCount ?? BigInt(Number.MAX_SAFE_INTEGER);
  let delivered = 0n;
  const emit = (entry: EventEntry) => toRecordedEvent(entry, connection.layout, codecs);
  try {
    if (direction === "backwards") {
      const below = typeof from === "bigint" ? from : tail.revision;
      for await (const entry of walkBack(store, name, tail, 0n)) {
        if (entry.revision > below) continue;
        if (delivered++ >= limit) return;
        yield emit(entry);
      }
      return;
    }
    if (from === "end") return;
    const first = from === "start" ? 0n : from;
    if (first > tail.revision) return;
    if (tail.revision - first < WALK_BACK_LIMIT) {
      const newestFirst: EventEntry[] = [];
      for await (const entry of walkBack(store, name, tail, first)) newestFirst.push(entry);
      for (let i = newestFirst.length - 1; i >= 0; i--) {
        if (delivered++ >= limit) return;
        yield emit(newestFirst[i]!);
      }
      return;
    }
    for await (const message of scan(store, name, subject, 1, tail.seq)) {
      const entry = entryOf(message);
      if (entry?.kind !== "event" || entry.revision < first) continue;
      if (delivered++ >= limit) return;
      yield emit(entry);
    }
  } catch (error) {
    throw translate(error);
  }
}

export function matchesFilter(event: RecordedEvent, filter: EventFilter | undefined): boolean {
  if (!filter) return true;
  if (filter.streamPrefixes && !filter.streamPrefixes.some((p) => event.streamId.startsWith(p))) return false;
  if (filter.eventTypes && !filter.eventTypes.includes(event.type)) return false;
  return true;
}

export async function* readAll(connection: Connection, codecs: CodecRegistry, request: ReadAllRequest): AsyncGenerator<RecordedEvent> {
  const { direction, from, maxCount, filter } = request;
  const name = connection.streamName;
  const store = await connection.store();
  const translate = (error: unknown) => connection.translate(error, { operation: "read $all" });
  const limit = maxCount ?? BigInt(Number.MAX_SAFE_INTEGER);
  let delivered = 0n;
  try {
    const { state } = await store.jsm.streams.info(name);
    if (state.messages === 0) return;
    const decoded = (messageEntry: Entry | undefined) =>
      messageEntry?.kind === "event" ? toRecordedEvent(messageEntry, connection.layout, codecs) : undefined;
    if (direction === "forwards") {
      if (from === "end") return;
      const start = from === "start" ? state.first_seq : seqOf(from);
      for await (const message of scan(store, name, connection.layout.all, start, state.last_seq)) {
        const event = decoded(entryOf(message));
        if (!event || !matchesFilter(event, filter)) continue;
        if (delivered++ >= limit) return;
        yield event;
      }
      return;
    }
    // Backwards: pages of sequences read forwards, newest page first.
    let high = typeof from === "object" ? Math.min(seqOf(from), state.last_seq) : state.last_seq;
    while (high >= state.first_seq) {
      const low = Math.max(state.first_seq, high - PAGE + 1);
      const page: RecordedEvent[] = [];
      for await (const message of scan(store, name, connection.layout.all, low, high)) {
        const event = decoded(entryOf(message));
        if (event && matchesFilter(event, filter)) page.push(event);
      }
      for (let i = page.length - 1; i >= 0; i--) {
        if (delivered++ >= limit) return;
        yield page[i]!;
      }
      high = low - 1;
    }
  } catch (error) {
    throw translate(error);
  }
}
