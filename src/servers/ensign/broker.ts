/**
 * Live fan-out to Subscribe streams, as Ensign's broker does it: each subscriber has a bounded
 * outgoing queue (16384 by default); an event for a subscriber whose queue is full is dropped
 * silently (non-blocking send). Nothing is replayed and acks/nacks are only counted.
 */
import type { ServerDuplexStream } from "@grpc/grpc-js";
import type { EventWrapper, SubscribeReply, SubscribeRequest } from "../../adapters/ensign/wire/index.js";

export interface Subscriber {
  topics: ReadonlySet<string>;
  queue: SubscribeReply[];
  capacity: number;
  sent: number;
  dropped: number;
  acks: number;
  nacks: number;
  call: ServerDuplexStream<SubscribeRequest, SubscribeReply>;
  waitingForDrain: boolean;
  closed: boolean;
}

export class Broker {
  private readonly subscribers = new Set<Subscriber>();
  /** Events dropped because a subscriber's queue was full (test hook). */
  dropped = 0;

  register(
    call: ServerDuplexStream<SubscribeRequest, SubscribeReply>,
    topics: ReadonlySet<string>,
    capacity: number,
  ): Subscriber {
    const subscriber: Subscriber = {
      topics,
      queue: [],
      capacity,
      sent: 0,
      dropped: 0,
      acks: 0,
      nacks: 0,
      call,
      waitingForDrain: false,
      closed: false,
    };
    this.subscribers.add(subscriber);
    return subscriber;
  }

  unregister(subscriber: Subscriber): void {
    subscriber.closed = true;
    subscriber.queue.length = 0;
    this.subscribers.delete(subscriber);
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** Offers a committed event to every subscriber of its topic. */
  fanOut(topicIdText: string, event: EventWrapper): void {
    for (const subscriber of this.subscribers) {
      if (!subscriber.topics.has(topicIdText)) continue;
      if (subscriber.queue.length >= subscriber.capacity) {
        subscriber.dropped++;
        this.dropped++;
        continue;
      }
      subscriber.queue.push({ event });
      this.pump(subscriber);
    }
  }

  /** Writes queued events while the call accepts them (gRPC flow control). */
  private pump(subscriber: Subscriber): void {
    if (subscriber.waitingForDrain) return;
    while (!subscriber.closed && subscriber.queue.length > 0) {
      const reply = subscriber.queue.shift() as SubscribeReply;
      subscriber.sent++;
      if (!subscriber.call.write(reply)) {
        subscriber.waitingForDrain = true;
        subscriber.call.once("drain", () => {
          subscriber.waitingForDrain = false;
          this.pump(subscriber);
        });
        return;
      }
    }
  }

  /** Ends every subscribe stream with the given status (simulates a dropped server side). */
  dropAll(code: number, details: string): number {
    const all = [...this.subscribers];
    for (const subscriber of all) {
      this.unregister(subscriber);
      subscriber.call.emit("error", { code, details });
    }
    return all.length;
  }

  /** Forgets every subscriber without touching the calls (the server is being shut down). */
  clear(): void {
    for (const subscriber of [...this.subscribers]) this.unregister(subscriber);
  }
}
