import { createHash } from "node:crypto";
import { AckPolicy, DeliverPolicy, JetStreamApiError, type ConsumerConfig, type ConsumerMessages, type JsMsg } from "@nats-io/jetstream";
import type { CodecRegistry } from "../../core/codec.js";
import type {
  DriverDelivery,
  DriverPersistentConnection,
  PersistentDriver,
  ResolvedPersistentTarget,
  ValidPersistentSettings,
} from "../../core/driver.js";
import { StreamNotFoundError, ValidationError } from "../../core/errors.js";
import type { RecordedEvent } from "../../core/event.js";
import type { EventFilter, NackAction } from "../../core/event-stream.js";
import { Position } from "../../core/position.js";
import type { Connection, Store } from "./connection.js";
import { entryOf, toRecordedEvent, type Entry } from "./event-mapping.js";
import { previousOf, tailOf } from "./messages.js";
import { seqOf } from "./positions.js";
import { matchesFilter } from "./reads.js";
import { fromJsMsg } from "./scan.js";

const CONSUMER_NOT_FOUND = 10014;
const DEFAULT_MAX_RETRY_COUNT = 10;
const DEFAULT_MESSAGE_TIMEOUT_MS = 30_000;
/** How long one pull waits for new events before the next (a close ends it at once). */
const PULL_EXPIRES_MS = 5_000;

/** What a durable consumer's description records: the group as the port names it. */
interface GroupDescription {
  readonly group: string;
  readonly target: string;
  readonly filter?: EventFilter;
}

/**
 * Persistent subscriptions are durable JetStream consumers with explicit acks, one per (target,
 * group): competing connections pull from it, each at most `bufferSize` unsettled events. ack
 * acknowledges, nack "retry" naks (redelivered at once), "park" terminates the message (JetStream
 * has no parked-message queue: it is not delivered again), "skip" acknowledges. After
 * `maxRetryCount` retries (JetStream's max_deliver) a message is not delivered again.
 */
export class NatsPersistentDriver implements PersistentDriver {
  constructor(
    private readonly connection: Connection,
    private readonly codecs: CodecRegistry,
  ) {}

  async create(target: ResolvedPersistentTarget, group: string, settings: ValidPersistentSettings): Promise<void> {
    await this.connection.run({ operation: `create persistent subscription group "${group}"`, write: true }, async (store) => {
      const name = this.connection.streamName;
      const durable = durableName(target, group);
      if (await this.#exists(store, durable)) throw new ValidationError(`Persistent subscription group "${group}" already exists`, "group");
      const description: GroupDescription = { group, target: keyOf(target), ...(target.kind === "all" && target.filter ? { filter: target.filter } : {}) };
      const config: Partial<ConsumerConfig> = {
        durable_name: durable,
        description: JSON.stringify(description),
        ack_policy: AckPolicy.Explicit,
        filter_subject: target.kind === "stream" ? this.connection.layout.of(target.stream) : this.connection.layout.all,
        max_deliver: (settings.maxRetryCount ?? DEFAULT_MAX_RETRY_COUNT) + 1,
        ack_wait: (settings.messageTimeoutMs ?? DEFAULT_MESSAGE_TIMEOUT_MS) * 1_000_000,
        ...(await this.#start(store, target, settings.startFrom)),
      };
      await store.jsm.consumers.add(name, config);
    });
  }

  async update(target: ResolvedPersistentTarget, group: string, settings: ValidPersistentSettings): Promise<void> {
    await this.connection.run({ operation: `update persistent subscription group "${group}"`, write: true }, async (store) => {
      const durable = durableName(target, group);
      if (!(await this.#exists(store, durable))) throw groupNotFound(target, group);
      if (settings.startFrom !== undefined) {
        throw new ValidationError("JetStream cannot move the start of an existing consumer: delete the group and create it again", "startFrom");
      }
      await store.jsm.consumers.update(this.connection.streamName, durable, {
        ...(settings.maxRetryCount !== undefined ? { max_deliver: settings.maxRetryCount + 1 } : {}),
        ...(settings.messageTimeoutMs !== undefined ? { ack_wait: settings.messageTimeoutMs * 1_000_000 } : {}),
      });
    });
  }

  async delete(target: ResolvedPersistentTarget, group: string): Promise<void> {
    await this.connection.run({ operation: `delete persistent subscription group "${group}"`, write: true }, async (store) => {
      try {
        await store.jsm.consumers.delete(this.connection.streamName, durableName(target, group));
      } catch (error) {
        if (error instanceof JetStreamApiError && error.code === CONSUMER_NOT_FOUND) throw groupNotFound(target, group);
        throw error;
      }
    });
  }

  connect(target: ResolvedPersistentTarget, group: string, bufferSize: number, signal: AbortSignal): DriverPersistentConnection {
    const connection = this.connection;
    const codecs = this.codecs;
    const operation = `connect to persistent subscription group "${group}"`;
    let unsettled = 0;
    let wake: (() => void) | undefined;
    let batch: ConsumerMessages | undefined;
    const onAbort = () => {
      void batch?.stop();
      wake?.();
    };
    signal.addEventListener("abort", onAbort, { once: true });
    const settled = () => {
      unsettled--;
      wake?.();
    };
    async function* deliveries(): AsyncGenerator<DriverDelivery> {
      const store = await connection.store();
      const durable = durableName(target, group);
      let filter: EventFilter | undefined;
      let consumer;
      try {
        const info = await store.jsm.consumers.info(connection.streamName, durable);
        filter = (JSON.parse(info.config.description ?? "{}") as GroupDescription).filter;
        consumer = await store.js.consumers.get(connection.streamName, durable);
      } catch (error) {
        if (error instanceof JetStreamApiError && error.code === CONSUMER_NOT_FOUND) throw groupNotFound(target, group);
        throw connection.translate(error, { operation });
      }
      while (!signal.aborted) {
        const room = bufferSize - unsettled;
        if (room <= 0) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          continue;
        }
        try {
          batch = await consumer.fetch({ max_messages: room, expires: PULL_EXPIRES_MS });
          if (signal.aborted) void batch.stop();
          for await (const m of batch) {
            const entry = entryOf(fromJsMsg(m));
            const event = entry?.kind === "event" ? toRecordedEvent(entry, connection.layout, codecs) : undefined;
            if (!event || !matchesFilter(event, filter)) {
              m.ack(); // a marker, or an event the group's filter leaves out
              continue;
            }
            unsettled++;
            yield delivery(m, event, settled);
            if (signal.aborted) return;
          }
        } catch (error) {
          if (signal.aborted) return;
          throw connection.translate(error, { operation });
        }
      }
    }
    const iterator = deliveries();
    return {
      [Symbol.asyncIterator]: () => iterator,
      close: async () => {
        onAbort();
        signal.removeEventListener("abort", onAbort);
        await iterator.return(undefined);
      },
    };
  }

  async #exists(store: Store, durable: string): Promise<boolean> {
    try {
      await store.jsm.consumers.info(this.connection.streamName, durable);
      return true;
    } catch (error) {
      if (error instanceof JetStreamApiError && error.code === CONSUMER_NOT_FOUND) return false;
      throw error;
    }
  }

  /** The consumer's start: inclusive, as the port's `startFrom` is. */
  async #start(store: Store, target: ResolvedPersistentTarget, startFrom: ValidPersistentSettings["startFrom"]): Promise<Partial<ConsumerConfig>> {
    if (startFrom === undefined || startFrom === "start") return { deliver_policy: DeliverPolicy.All };
    if (startFrom === "end") return { deliver_policy: DeliverPolicy.New };
    if (startFrom instanceof Position) return { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: Math.max(1, seqOf(startFrom)) };
    // A revision of the stream: the sequence of its message, found from the tail.
    const subject = this.connection.layout.of((target as { stream: string }).stream);
    const name = this.connection.streamName;
    const tail = await tailOf(store, name, subject);
    if (tail === undefined || startFrom > tail.revision) return { deliver_policy: DeliverPolicy.New };
    let entry: Entry | undefined = tail;
    let seq = tail.seq;
    while (entry !== undefined && entry.revision >= startFrom) {
      seq = entry.seq;
      entry = await previousOf(store, name, entry);
    }
    return { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: seq };
  }
}

function delivery(m: JsMsg, event: RecordedEvent, settled: () => void): DriverDelivery {
  let done = false;
  const settle = async (action: "ack" | NackAction, reason?: string) => {
    if (done) return;
    done = true;
    settled();
    if (action === "retry") m.nak();
    else if (action === "park") m.term(reason);
    else await m.ackAck();
  };
  return {
    event,
    retryCount: Math.max(0, m.info.deliveryCount - 1),
    ack: () => settle("ack"),
    nack: (action, reason) => settle(action, reason),
  };
}

function keyOf(target: ResolvedPersistentTarget): string {
  return target.kind === "stream" ? `stream:${target.stream}` : "$all";
}

/** A durable name is one subject token: a digest of the target and the group. */
function durableName(target: ResolvedPersistentTarget, group: string): string {
  return "sy_" + createHash("sha256").update(`${keyOf(target)}\n${group}`).digest("hex").slice(0, 32);
}

function groupNotFound(target: ResolvedPersistentTarget, group: string): StreamNotFoundError {
  return new StreamNotFoundError(`persistent subscription group "${group}" on ${target.kind === "stream" ? target.stream : "$all"}`);
}
