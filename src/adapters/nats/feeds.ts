import { DeliverPolicy } from "@nats-io/jetstream";
import type { CodecRegistry } from "../../core/codec.js";
import { ConnectionError, isSwitchyardError, StreamDeletedError } from "../../core/errors.js";
import type { EventFilter } from "../../core/event-stream.js";
import type { Feed, FeedMessage, FeedStart } from "../../core/subscription.js";
import type { ResolvedTarget } from "../../core/subscription-target.js";
import type { Connection, Store } from "./connection.js";
import { entryOf, toRecordedEvent, type Entry } from "./event-mapping.js";
import { previousOf, tailOf } from "./messages.js";
import { seqOf } from "./positions.js";
import { matchesFilter } from "./reads.js";
import { fromJsMsg, PAGE } from "./scan.js";

/** A subscription's pull requests last this long; the server sends heartbeats while one waits. */
const PULL_EXPIRES_MS = 5_000;
/** Two missed heartbeats (2 s) mean the consumer is gone. */
const IDLE_HEARTBEAT_MS = 1_000;

/** A stream feed resuming this close to the tail walks back to its start instead of reading from the first message. */
const WALK_BACK_LIMIT = 32n;
/** How long a feed may receive nothing before it checks whether the stream moved on without it. */
const STALL_CHECK_MS = 3_000;

/** Where a feed reads: its filter subject, the first sequence, the last sequence of its history. */
interface Plan {
  readonly filter: string;
  readonly fromSeq: number;
  /** The last matching message stored when the feed opened (0: none): `caughtUp` follows it. */
  readonly historyEnd: number;
  /** Stream feeds: revisions at or below this were delivered before. */
  readonly afterRevision: bigint;
  readonly eventFilter: EventFilter | undefined;
}

/**
 * History after the start, `caughtUp`, then live events, through one ordered consumer per feed:
 * JetStream pushes new messages as they are stored, and the client recreates the consumer after
 * the last message it delivered if a server or leader goes away. If the consumer stops, the feed
 * throws a ConnectionError and core reopens it after the last delivered event.
 */
export function natsFeed(connection: Connection, codecs: CodecRegistry, target: ResolvedTarget): Feed {
  return async function* (start: FeedStart, signal: AbortSignal): AsyncGenerator<FeedMessage> {
    const operation = target.kind === "stream" ? `subscribe to "${target.stream}"` : "subscribe";
    let plan: Plan;
    let store: Store;
    try {
      store = await connection.store();
      plan = await planFor(store, connection, target, start);
    } catch (error) {
      throw connection.translate(error, { operation });
    }
    let caughtUp = false;
    if (plan.historyEnd < plan.fromSeq) {
      caughtUp = true;
      yield { kind: "caughtUp" };
    }
    let messages;
    try {
      const consumer = await store.js.consumers.get(connection.streamName, {
        filter_subjects: plan.filter,
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: Math.max(1, plan.fromSeq),
      });
      messages = await consumer.consume({ max_messages: PAGE, expires: PULL_EXPIRES_MS, idle_heartbeat: IDLE_HEARTBEAT_MS });
    } catch (error) {
      throw connection.translate(error, { operation });
    }
    // A server that stops sending heartbeats has lost the consumer (its node died): give up on it,
    // and core reopens the feed after the last delivered event on a new consumer.
    let lost: ConnectionError | undefined;
    void (async () => {
      for await (const status of messages.status()) {
        if (status.type === "heartbeats_missed" && status.count >= 2) {
          lost = new ConnectionError(`NATS ${operation}: the server stopped sending heartbeats for the consumer`);
          void messages.stop();
          return;
        }
      }
    })().catch(() => undefined);
    // A consumer can also go quiet while alive (seen after a leader change on 2.9: heartbeats, no
    // messages): when nothing arrived for a while, compare with the stream's head.
    let lastSeq = plan.fromSeq - 1;
    let arrived = true;
    const watchdog = setInterval(() => {
      if (arrived) {
        arrived = false;
        return;
      }
      void headOf(store, connection, plan.filter)
        .then((head) => {
          if (head > lastSeq && !arrived && lost === undefined) {
            lost = new ConnectionError(`NATS ${operation}: the consumer stopped delivering (stream at ${head}, delivered up to ${lastSeq})`);
            void messages.stop();
          }
        })
        .catch(() => undefined);
    }, STALL_CHECK_MS);
    watchdog.unref();
    const stop = () => void messages.stop();
    signal.addEventListener("abort", stop, { once: true });
    if (signal.aborted) stop(); // aborted while the consumer was being set up
    try {
      for await (const m of messages) {
        if (signal.aborted) return;
        arrived = true;
        lastSeq = m.seq;
        if (!caughtUp && m.seq > plan.historyEnd) {
          caughtUp = true;
          yield { kind: "caughtUp" };
        }
        const entry = entryOf(fromJsMsg(m));
        if (entry?.kind === "marker" && entry.marker === "tombstone" && target.kind === "stream") throw new StreamDeletedError(target.stream);
        if (entry?.kind === "event" && !(target.kind === "stream" && entry.revision <= plan.afterRevision)) {
          const event = toRecordedEvent(entry, connection.layout, codecs);
          if (matchesFilter(event, plan.eventFilter)) yield { kind: "event", event };
        }
        // Not `m.info.pending === 0`: a 2.9 server can report 0 pending on a new consumer's first
        // deliveries while matching messages remain, so only the sequence noted at open counts.
        if (!caughtUp && m.seq >= plan.historyEnd) {
          caughtUp = true;
          yield { kind: "caughtUp" };
        }
      }
    } catch (error) {
      if (signal.aborted) return;
      if (isSwitchyardError(error)) throw error;
      throw connection.translate(error, { operation });
    } finally {
      signal.removeEventListener("abort", stop);
      clearInterval(watchdog);
      stop();
    }
    if (lost) throw lost;
    if (!signal.aborted) throw new ConnectionError(`NATS ${operation}: the consumer stopped (connection closed or lost)`);
  };
}

/**
 * Where a stream feed starts: right after the message of `afterRevision` when it is near the tail
 * (a resumed subscription, a reconnect: found by walking back), else at the first message.
 */
async function firstSeqAfter(store: Store, name: string, tail: Entry | undefined, afterRevision: bigint): Promise<number> {
  if (tail === undefined) return 1;
  if (tail.revision <= afterRevision) return tail.seq + 1;
  if (tail.revision - afterRevision > WALK_BACK_LIMIT) return 1;
  let seq = tail.seq;
  for (let entry: Entry | undefined = tail; entry !== undefined && entry.revision > afterRevision; entry = await previousOf(store, name, entry)) {
    seq = entry.seq;
  }
  return seq;
}

/** The stream sequence of the newest message matching `filter` (0: none). */
async function headOf(store: Store, connection: Connection, filter: string): Promise<number> {
  if (filter === connection.layout.all) return (await store.jsm.streams.info(connection.streamName)).state.last_seq;
  const message = await store.jsm.streams.getMessage(connection.streamName, { last_by_subj: filter });
  return message?.seq ?? 0;
}

async function planFor(store: Store, connection: Connection, target: ResolvedTarget, start: FeedStart): Promise<Plan> {
  const name = connection.streamName;
  if (target.kind === "stream") {
    const subject = connection.layout.of(target.stream);
    const tail = await tailOf(store, name, subject);
    if (tail?.kind === "marker" && tail.marker === "tombstone") throw new StreamDeletedError(target.stream);
    const historyEnd = tail?.seq ?? 0;
    if (start === "end") return { filter: subject, fromSeq: historyEnd + 1, historyEnd, afterRevision: -1n, eventFilter: undefined };
    const afterRevision = start === "start" ? -1n : (start as bigint);
    return { filter: subject, fromSeq: await firstSeqAfter(store, name, tail, afterRevision), historyEnd, afterRevision, eventFilter: undefined };
  }
  const filter = target.kind === "category" ? connection.layout.category(target.category) : connection.layout.all;
  const historyEnd = await headOf(store, connection, filter);
  const fromSeq = start === "start" ? 1 : start === "end" ? historyEnd + 1 : seqOf(start as Exclude<FeedStart, bigint | string>) + 1;
  return { filter, fromSeq, historyEnd, afterRevision: -1n, eventFilter: target.kind === "all" ? target.filter : undefined };
}
