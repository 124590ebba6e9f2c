// One persistent subscription group (competing consumers): at-least-once delivery from a stream or
// `$all`, per-consumer buffers, ack/nack (park/retry/skip/stop), retries after the message
// timeout, parking after maxRetryCount into `$persistentsubscription-<source>::<group>-parked`.
import { randomUUID } from "node:crypto";
import type { EventFilter } from "./filter.js";
import { resolveLink } from "./links.js";
import type { EventStore, StoredEvent } from "./store.js";
import type { ResponseTimes } from "./response-times.js";

export type ConsumerStrategy = "DispatchToSingle" | "RoundRobin" | "Pinned";
export type StartFrom = "start" | "end" | bigint;
export type NackAction = "park" | "retry" | "skip" | "stop" | "unknown";

export interface GroupSettings {
  readonly resolveLinks: boolean;
  readonly extraStatistics: boolean;
  readonly messageTimeoutMs: number;
  readonly checkpointAfterMs: number;
  readonly maxRetryCount: number;
  readonly minCheckpointCount: number;
  readonly maxCheckpointCount: number;
  /** 0 = unbounded. */
  readonly maxSubscriberCount: number;
  readonly liveBufferSize: number;
  readonly readBatchSize: number;
  readonly historyBufferSize: number;
  readonly strategy: ConsumerStrategy;
  /** A stream revision (inclusive) or, for `$all`, a commit position (inclusive). */
  readonly startFrom: StartFrom;
  readonly filter?: EventFilter;
}

export interface Delivery {
  readonly event: StoredEvent;
  readonly link?: StoredEvent;
  /** A link whose target could not be read: `event` is the link, sent as the link with no event. */
  readonly linkOnly?: boolean;
  readonly retryCount: number;
  /** What the client acks: the link id when there is a link, else the event id. */
  readonly ackId: string;
}

export interface Consumer {
  readonly id: string;
  readonly bufferSize: number;
  readonly connectionName: string;
  readonly from: string;
  readonly username: string;
  inFlight: number;
  totalItems: number;
  /** `totalItems` when the statistics were last taken (countSinceLastMeasurement). */
  lastTotalItems: number;
  /** Present when the group had `extraStatistics` on as the consumer connected. */
  readonly responseTimes: ResponseTimes | undefined;
  send(delivery: Delivery): void;
  drop(error?: Error): void;
}

export interface MeasuredCount {
  readonly countSinceLastMeasurement: number;
  readonly averagePerSecond: number;
}

export interface GroupStatistics extends MeasuredCount {
  readonly consumers: ReadonlyMap<Consumer, MeasuredCount>;
}

interface Outstanding {
  readonly delivery: Delivery;
  readonly consumer: Consumer;
  readonly timer: NodeJS.Timeout | undefined;
}

export class PersistentGroup {
  readonly consumers: Consumer[] = [];
  readonly #store: EventStore;
  readonly #retries: Delivery[] = [];
  readonly #outstanding = new Map<string, Outstanding>();
  #settings: GroupSettings;
  /** Next revision (stream) or position ($all) to read, inclusive. */
  #cursor: bigint;
  #roundRobin = 0;
  #lastProcessed: StoredEvent | undefined;
  totalItems = 0;
  #lastStatistics = { at: performance.now(), totalItems: 0 };

  constructor(
    readonly source: string,
    readonly name: string,
    settings: GroupSettings,
    store: EventStore,
  ) {
    this.#store = store;
    this.#settings = settings;
    this.#cursor = this.#initialCursor(settings.startFrom);
  }

  get settings(): GroupSettings {
    return this.#settings;
  }

  get parkedStream(): string {
    return `$persistentsubscription-${this.source}::${this.name}-parked`;
  }

  get parkedCount(): number {
    return this.#store.readableEvents(this.parkedStream)?.length ?? 0;
  }

  get outstandingCount(): number {
    return this.#outstanding.size;
  }

  get retryCount(): number {
    return this.#retries.length;
  }

  get lastProcessed(): StoredEvent | undefined {
    return this.#lastProcessed;
  }

  get lastKnown(): StoredEvent | undefined {
    if (this.source === "$all") return this.#store.log.at(-1);
    return this.#store.readableEvents(this.source)?.at(-1);
  }

  /**
   * Items since the statistics were last taken, per second, for the group and each consumer;
   * taking them starts a new measurement, as the server's GetStatistics does on every info call.
   */
  takeStatistics(): GroupStatistics {
    const now = performance.now();
    const elapsedMs = now - this.#lastStatistics.at;
    const perSecond = (items: number) => (elapsedMs > 0 ? Math.trunc((items * 1_000) / elapsedMs) : 0);
    const count = this.totalItems - this.#lastStatistics.totalItems;
    this.#lastStatistics = { at: now, totalItems: this.totalItems };
    const consumers = new Map<Consumer, MeasuredCount>();
    for (const consumer of this.consumers) {
      const since = consumer.totalItems - consumer.lastTotalItems;
      consumer.lastTotalItems = consumer.totalItems;
      consumers.set(consumer, { countSinceLastMeasurement: since, averagePerSecond: perSecond(since) });
    }
    return { countSinceLastMeasurement: count, averagePerSecond: perSecond(count), consumers };
  }

  update(settings: GroupSettings): void {
    this.#settings = settings;
  }

  isFull(): boolean {
    const max = this.#settings.maxSubscriberCount;
    return max > 0 && this.consumers.length >= max;
  }

  connect(consumer: Consumer): void {
    this.consumers.push(consumer);
    this.pump();
  }

  disconnect(consumer: Consumer): void {
    const index = this.consumers.indexOf(consumer);
    if (index < 0) return;
    this.consumers.splice(index, 1);
    for (const [id, outstanding] of this.#outstanding) {
      if (outstanding.consumer !== consumer) continue;
      this.#forget(id);
      this.#retry(outstanding.delivery);
    }
    this.pump();
  }

  dropAll(error: Error): void {
    for (const consumer of [...this.consumers]) {
      this.disconnect(consumer);
      consumer.drop(error);
    }
  }

  ack(ids: readonly string[]): void {
    for (const id of ids) {
      const outstanding = this.#forget(id);
      if (outstanding !== undefined) this.#processed(outstanding.delivery);
    }
    this.pump();
  }

  nack(ids: readonly string[], action: NackAction, reason: string): void {
    for (const id of ids) {
      const outstanding = this.#forget(id);
      if (outstanding === undefined) continue;
      const { delivery } = outstanding;
      if (action === "park") this.#park(delivery, reason);
      else if (action === "retry") this.#retry(delivery);
      else if (action === "skip") this.#processed(delivery);
      else if (action === "stop") this.#retries.unshift(delivery);
      else this.#retry(delivery);
    }
    this.pump();
  }

  /** Moves parked events back into the retry queue (oldest first) and truncates the parked stream. */
  replayParked(stopAt: number | undefined): void {
    const parked = this.#store.readableEvents(this.parkedStream) ?? [];
    const replayed = stopAt === undefined ? parked : parked.slice(0, stopAt);
    for (const link of replayed) {
      const target = this.#resolveLink(link);
      if (target !== undefined) this.#retries.push(this.#delivery(target, 0));
    }
    const last = replayed.at(-1);
    if (last !== undefined) {
      this.#store.append(`$$${this.parkedStream}`, -2n, [
        {
          id: randomUUID(),
          type: "$metadata",
          contentType: "application/json",
          data: Buffer.from(JSON.stringify({ $tb: Number(last.revision + 1n) })),
          customMetadata: new Uint8Array(),
        },
      ]);
    }
    this.pump();
  }

  /** Hands out events while some consumer has a free slot. */
  pump(): void {
    for (;;) {
      if (this.#pickConsumer() === undefined) return;
      const delivery = this.#retries.shift() ?? this.#next();
      if (delivery === undefined) return;
      const consumer = this.#pickConsumer(delivery);
      if (consumer === undefined) {
        // Pinned: the event's consumer is full; it waits at the head of the queue.
        this.#retries.unshift(delivery);
        return;
      }
      this.#dispatch(consumer, delivery);
    }
  }

  close(): void {
    for (const id of [...this.#outstanding.keys()]) this.#forget(id);
  }

  #dispatch(consumer: Consumer, delivery: Delivery): void {
    const timeout = this.#settings.messageTimeoutMs;
    const timer =
      timeout > 0
        ? setTimeout(() => {
            if (this.#forget(delivery.ackId) !== undefined) {
              this.#retry(delivery);
              this.pump();
            }
          }, timeout)
        : undefined;
    timer?.unref();
    this.#outstanding.set(delivery.ackId, { delivery, consumer, timer });
    consumer.inFlight += 1;
    consumer.totalItems += 1;
    this.totalItems += 1;
    consumer.responseTimes?.start(delivery.ackId);
    consumer.send(delivery);
  }

  #forget(id: string): Outstanding | undefined {
    const outstanding = this.#outstanding.get(id);
    if (outstanding === undefined) return undefined;
    this.#outstanding.delete(id);
    if (outstanding.timer !== undefined) clearTimeout(outstanding.timer);
    outstanding.consumer.inFlight -= 1;
    outstanding.consumer.responseTimes?.end(id);
    return outstanding;
  }

  #retry(delivery: Delivery): void {
    if (delivery.retryCount >= this.#settings.maxRetryCount) {
      this.#park(delivery, "Max retry count reached");
      return;
    }
    this.#retries.push({ ...delivery, retryCount: delivery.retryCount + 1 });
  }

  #park(delivery: Delivery, reason: string): void {
    const target = delivery.link ?? delivery.event;
    this.#store.append(this.parkedStream, -2n, [
      {
        id: randomUUID(),
        type: "$>",
        contentType: "application/octet-stream",
        data: Buffer.from(`${target.revision}@${target.stream}`, "utf8"),
        customMetadata: Buffer.from(JSON.stringify({ $causedBy: target.id, $reason: reason }), "utf8"),
      },
    ]);
    this.#processed(delivery);
  }

  #processed(delivery: Delivery): void {
    const event = delivery.link ?? delivery.event;
    if (this.#lastProcessed === undefined || event.position > this.#lastProcessed.position) {
      this.#lastProcessed = event;
    }
  }

  /** Without a delivery: is any consumer free at all? With one: who gets it. */
  #pickConsumer(delivery?: Delivery): Consumer | undefined {
    const hasRoom = (consumer: Consumer) => consumer.inFlight < consumer.bufferSize;
    const free = this.consumers.filter(hasRoom);
    if (free.length === 0 || delivery === undefined) return free[0];
    if (this.#settings.strategy === "Pinned") {
      // Events of one source stream always go to the same consumer (while the set is stable).
      const pinned = this.consumers[hashOf((delivery.link ?? delivery.event).stream) % this.consumers.length]!;
      return hasRoom(pinned) ? pinned : undefined;
    }
    if (this.#settings.strategy === "RoundRobin") {
      for (let i = 0; i < this.consumers.length; i++) {
        const consumer = this.consumers[(this.#roundRobin + i) % this.consumers.length]!;
        if (hasRoom(consumer)) {
          this.#roundRobin = (this.#roundRobin + i + 1) % this.consumers.length;
          return consumer;
        }
      }
    }
    return free[0];
  }

  #initialCursor(startFrom: StartFrom): bigint {
    if (startFrom === "start") return 0n;
    if (startFrom !== "end") return startFrom;
    if (this.source === "$all") return this.#store.headPosition;
    return this.#store.lastEventNumber(this.source) + 1n;
  }

  #next(): Delivery | undefined {
    const cursor = this.#cursor;
    if (this.source === "$all") {
      const filter = this.#settings.filter;
      const log = this.#store.log;
      for (let index = this.#store.firstIndexAtOrAfter(cursor); index < log.length; index++) {
        const event = log[index]!;
        this.#cursor = event.position + 1n;
        if (filter === undefined || filter.matches(event)) return this.#delivery(event, 0);
      }
      return undefined;
    }
    const event = this.#store.readableEvents(this.source)?.find((candidate) => candidate.revision >= cursor);
    if (event === undefined) return undefined;
    this.#cursor = event.revision + 1n;
    return this.#delivery(event, 0);
  }

  #delivery(event: StoredEvent, retryCount: number): Delivery {
    if (!this.#settings.resolveLinks) return { event, retryCount, ackId: event.id };
    const resolution = resolveLink(this.#store, event);
    if (resolution.kind === "resolved") {
      return { event: resolution.event, link: resolution.link, retryCount, ackId: event.id };
    }
    if (resolution.kind === "failed") return { event, linkOnly: true, retryCount, ackId: event.id };
    return { event, retryCount, ackId: event.id };
  }

  #resolveLink(link: StoredEvent): StoredEvent | undefined {
    const resolution = resolveLink(this.#store, link);
    return resolution.kind === "resolved" ? resolution.event : undefined;
  }
}

function hashOf(text: string): number {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) >>> 0;
  return hash;
}
