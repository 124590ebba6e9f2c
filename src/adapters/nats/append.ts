import { setTimeout as sleep } from "node:timers/promises";
import type { PubAck } from "@nats-io/jetstream";
import type { AppendRequest } from "../../core/driver.js";
import { ConnectionError, PartialAppendError, StreamDeletedError, WrongExpectedRevisionError } from "../../core/errors.js";
import type { AppendResult, ExpectedRevision } from "../../core/event.js";
import type { PreparedEvent } from "../../core/prepare.js";
import type { Connection, Store } from "./connection.js";
import { isWrongLastSequence } from "./errors.js";
import { eventHeaders, messageId, type Entry } from "./event-mapping.js";
import { entryAt, previousOf, tailOf } from "./messages.js";
import { toPosition } from "./positions.js";

/** How far back from a stream's tail a retry looks for its own events (one request per event). */
const RETRY_LOOKBACK = 64n;
/** Rounds an append with "any" (or a stream-wide expectation) retries after another writer got in first. */
const MAX_ROUNDS = 200;

interface Chain {
  /** The stream's last message (event or marker) the next event follows; undefined for a new stream. */
  tail: Entry | undefined;
}

/**
 * Appends a batch as one message per event. Every message carries the expected last subject
 * sequence (the stream sequence of the stream's previous message), so revisions are contiguous
 * and an expected revision holds; a conflict on the first message means another writer got in
 * first, one on a later message means the batch was split (PartialAppendError).
 */
export async function appendEvents(connection: Connection, request: AppendRequest): Promise<AppendResult> {
  const { stream, events, expectedRevision } = request;
  const subject = connection.layout.of(stream);
  const name = connection.streamName;
  return connection.run({ operation: `append to "${stream}"`, write: true }, async (store) => {
    for (let round = 0; ; round++) {
      request.signal?.throwIfAborted();
      // This process's last append to the stream stands in for its tail where the expectation
      // needs no more: a stale one fails the publish's expectation, and the next round reads.
      const cached = round === 0 ? connection.tails.get(subject) : undefined;
      const tail = cached !== undefined && trustsCache(expectedRevision, cached) ? cached : await tailOf(store, name, subject);
      if (tail?.kind === "marker" && tail.marker === "tombstone") throw new StreamDeletedError(stream);
      const current = tail === undefined || tail.kind === "marker" ? undefined : tail.revision;
      let start = 0;
      if (!satisfies(expectedRevision, current)) {
        const stored = await storedPrefix(store, name, tail, expectedRevision, events);
        if (stored === undefined) throw new WrongExpectedRevisionError(stream, expectedRevision, current ?? "no_stream");
        if (stored === events.length) return { nextExpectedRevision: tail!.revision, position: toPosition(tail!.seq) };
        start = stored;
      }
      const chain: Chain = { tail };
      const outcome = await publishFrom(store, connection, subject, events, start, chain).finally(() => {
        if (chain.tail !== tail) connection.tails.set(subject, chain.tail!);
        else connection.tails.delete(subject);
      });
      if (outcome.kind === "stored") return outcome.result;
      // Another writer got in before our first message: look again (a conflict, or "any" goes on top).
      if (round >= MAX_ROUNDS) {
        throw new ConnectionError(`Append to "${stream}" gave up after ${MAX_ROUNDS} rounds lost to other writers`, { outcomeUnknown: false });
      }
      if (round >= 3) await sleep(Math.random() * Math.min(50, 2 ** round));
    }
  });
}

function trustsCache(expected: ExpectedRevision, cached: Entry): boolean {
  if (cached.kind !== "event") return false;
  return expected === "any" || expected === "stream_exists" || expected === cached.revision;
}

/** Whether a stream at `current` (undefined: no stream) meets the expected revision. */
export function satisfies(expected: ExpectedRevision, current: bigint | undefined): boolean {
  if (expected === "any") return true;
  if (expected === "no_stream") return current === undefined;
  if (expected === "stream_exists") return current !== undefined;
  return current === expected;
}

/**
 * How many events of this batch the stream already holds right after the expected revision (a
 * retry of an append that was stored, or partly stored): their ids at revisions expected+1….
 * Undefined when the stream moved on otherwise, so the caller reports the conflict.
 */
async function storedPrefix(
  store: Store,
  name: string,
  tail: Entry | undefined,
  expected: ExpectedRevision,
  events: readonly PreparedEvent[],
): Promise<number | undefined> {
  if (expected === "any" || expected === "stream_exists" || tail === undefined || tail.kind === "marker") return undefined;
  const after = expected === "no_stream" ? -1n : expected;
  const count = tail.revision - after;
  if (count < 1n || count > BigInt(events.length) || count > RETRY_LOOKBACK) return undefined;
  let entry: Entry | undefined = tail;
  for (let revision = tail.revision; revision > after; revision--) {
    while (entry?.kind === "marker") entry = await previousOf(store, name, entry);
    if (entry?.kind !== "event" || entry.revision !== revision) return undefined;
    if (entry.id !== events[Number(revision - after - 1n)]!.id) return undefined;
    if (revision > after + 1n) entry = await previousOf(store, name, entry);
  }
  return Number(count);
}

type Outcome = { kind: "stored"; result: AppendResult } | { kind: "lost" };

async function publishFrom(
  store: Store,
  connection: Connection,
  subject: string,
  events: readonly PreparedEvent[],
  start: number,
  chain: Chain,
): Promise<Outcome> {
  const name = connection.streamName;
  let streamLast = store.consistency === "stream" ? (connection.streamLast ?? (await store.jsm.streams.info(name)).state.last_seq) : 0;
  for (let i = start; i < events.length; i++) {
    const event = events[i]!;
    for (;;) {
      const previous = chain.tail?.seq ?? 0;
      const revision = chain.tail === undefined ? 0n : chain.tail.revision + 1n;
      let ack: PubAck;
      try {
        ack = await store.js.publish(subject, event.data, {
          msgID: messageId(subject, event.id),
          headers: eventHeaders(event, revision, previous),
          expect: store.consistency === "stream" ? { lastSubjectSequence: previous, lastSequence: streamLast } : { lastSubjectSequence: previous },
          timeout: connection.timeoutMs,
          retries: 1,
        });
      } catch (error) {
        if (isWrongLastSequence(error)) {
          const tail = await tailOf(store, name, subject);
          if (tail?.seq === chain.tail?.seq) {
            // Only the stream-wide expectation failed (a write to another event stream): go again.
            streamLast = (await store.jsm.streams.info(name)).state.last_seq;
            continue;
          }
          if (i === start) return { kind: "lost" };
          throw new PartialAppendError(
            connection.layout.streamOf(subject) ?? subject,
            events.slice(0, i).map((e) => e.id),
            events.slice(i).map((e) => e.id),
            { cause: connection.translate(error, { operation: "append" }) },
          );
        }
        if (i > start) {
          const translated = connection.translate(error, { operation: `append (event ${i + 1} of ${events.length})`, write: true });
          throw new ConnectionError(
            `${translated.message}; the ${i} event(s) before it were stored: retry with the same ids to complete the append`,
            { cause: translated, outcomeUnknown: true },
          );
        }
        throw error;
      }
      if (ack.duplicate) {
        // Stored before (a retry within the duplicate window): go on from the stored copy.
        const stored = await entryAt(store, name, ack.seq);
        if (stored === undefined) throw new ConnectionError(`The stored copy of event ${event.id} (sequence ${ack.seq}) could not be read back`);
        chain.tail = stored;
      } else {
        chain.tail = { kind: "event", seq: ack.seq, revision, previous, id: event.id, message: placeholder(subject, ack.seq) };
      }
      streamLast = ack.seq;
      connection.streamLast = ack.seq;
      break;
    }
  }
  const last = chain.tail!;
  return { kind: "stored", result: { nextExpectedRevision: last.revision, position: toPosition(last.seq) } };
}

const EMPTY = new Uint8Array(0);
/** The chain needs only sequence and revision of what it just wrote. */
function placeholder(subject: string, seq: number) {
  return { subject, seq, headers: undefined, data: EMPTY, time: new Date(0) };
}
