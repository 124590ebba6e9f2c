import {
  END,
  START,
  type AllStreamResolvedEvent,
  type EventStoreDBClient,
  type Filter,
  type ResolvedEvent,
} from "@eventstore/db-client";
import type { Readable } from "node:stream";
import type { CodecRegistry } from "../../core/codec.js";
import type { Position } from "../../core/position.js";
import type { Feed, FeedMessage } from "../../core/subscription.js";
import type { ResolvedTarget } from "../../core/subscription-target.js";
import { translateError, type OperationContext } from "./errors.js";
import { toRecordedEvent } from "./event-mapping.js";
import { planFilter } from "./filter-mapping.js";
import { toClientPosition, toPosition } from "./position-mapping.js";

/** Events buffered ahead of the consumer before the gRPC stream is paused (backpressure). */
const HIGH_WATER = 256;
const LOW_WATER = 64;

/**
 * A core Feed over the client's catch-up subscriptions. ESDB's start points are exclusive like
 * ours; its caught-up signal becomes {kind:"caughtUp"}, filter checkpoints become
 * {kind:"checkpoint"}, and a dropped call is thrown as a ConnectionError so core resubscribes.
 */
export function subscriptionFeed(client: EventStoreDBClient, target: ResolvedTarget, codecs: CodecRegistry): Feed {
  if (target.kind === "stream") {
    const context: OperationContext = { operation: "subscribe", stream: target.stream };
    return (start, signal) => {
      const fromRevision = start === "start" ? START : start === "end" ? END : (start as bigint);
      const subscription = client.subscribeToStream(target.stream, { fromRevision });
      const pumping = new Pump(subscription, (resolved: ResolvedEvent) =>
        resolved.event ? { kind: "event", event: toRecordedEvent(resolved.event, codecs) } : undefined,
      );
      return pumping.iterate(signal, context);
    };
  }
  const plan = planFilter(target.kind === "all" ? target.filter : undefined, target.kind === "category" ? target.prefix : undefined);
  const context: OperationContext = { operation: "subscribe" };
  return (start, signal) => {
    const fromPosition = start === "start" ? START : start === "end" ? END : toClientPosition(start as Position);
    let pumping: Pump<AllStreamResolvedEvent> | undefined;
    const filter: Filter | undefined = plan.server && {
      ...(plan.server as Filter),
      checkpointReached: (_subscription, position) => {
        pumping?.marker({ kind: "checkpoint", position: toPosition(position) });
      },
    };
    const subscription = client.subscribeToAll({ fromPosition, ...(filter ? { filter } : {}) });
    pumping = new Pump(subscription, (resolved: AllStreamResolvedEvent) => {
      if (!resolved.event) return undefined;
      const event = toRecordedEvent(resolved.event, codecs);
      // Dropped on the client: still a scanned position, so a resume does not scan it again.
      return plan.accepts(event) ? { kind: "event", event } : { kind: "checkpoint", position: event.position };
    });
    return pumping.iterate(signal, context);
  };
}

interface PendingMarker {
  remaining: number;
  readonly message: FeedMessage;
}

/**
 * Turns the client's event-emitting subscription into an ordered async iterable. The client emits
 * `caughtUp` and calls `checkpointReached` while earlier events may still sit in its readable
 * buffer, so such markers wait until that many more events have come out.
 */
class Pump<T> {
  readonly #subscription: Readable & { unsubscribe(): Promise<void> };
  readonly #queue: FeedMessage[] = [];
  readonly #markers: PendingMarker[] = [];
  #failure: unknown;
  #ended = false;
  #wake: (() => void) | undefined;

  constructor(subscription: Readable & { unsubscribe(): Promise<void> }, map: (item: T) => FeedMessage | undefined) {
    this.#subscription = subscription;
    subscription.on("data", (item: T) => {
      for (const marker of this.#markers) marker.remaining--;
      try {
        const message = map(item);
        if (message) this.#queue.push(message);
      } catch (error) {
        this.#failure ??= error;
      }
      this.#flushMarkers();
      if (this.#queue.length >= HIGH_WATER) subscription.pause();
      this.#notify();
    });
    subscription.on("caughtUp", () => this.marker({ kind: "caughtUp" }));
    // Stays attached after iteration ends: an 'error' without a listener would crash the process.
    subscription.on("error", (error: unknown) => {
      this.#failure ??= error;
      this.#notify();
    });
    const end = () => {
      this.#ended = true;
      this.#notify();
    };
    subscription.on("end", end);
    subscription.on("close", end);
  }

  marker(message: FeedMessage): void {
    this.#markers.push({ remaining: this.#subscription.readableLength, message });
    this.#flushMarkers();
    this.#notify();
  }

  async *iterate(signal: AbortSignal, context: OperationContext): AsyncGenerator<FeedMessage> {
    const onAbort = () => this.#notify();
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      while (!signal.aborted) {
        const message = this.#queue.shift();
        if (message) {
          if (this.#queue.length <= LOW_WATER && this.#subscription.isPaused()) this.#subscription.resume();
          yield message;
          continue;
        }
        if (this.#failure !== undefined) throw translateError(this.#failure, context);
        if (this.#ended) return; // cut off without an error: core treats it as a dropped connection
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
      }
    } finally {
      signal.removeEventListener("abort", onAbort);
      if (!this.#ended) await this.#subscription.unsubscribe();
    }
  }

  #flushMarkers(): void {
    while (this.#markers.length > 0 && this.#markers[0]!.remaining <= 0) this.#queue.push(this.#markers.shift()!.message);
  }

  #notify(): void {
    const resolve = this.#wake;
    this.#wake = undefined;
    resolve?.();
  }
}
