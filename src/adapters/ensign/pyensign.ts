import { ValidationError } from "../../core/errors.js";
import { Ensign, type EnsignOptions, type EnsignSubscription } from "./ensign-client.js";
import { EnsignEvent, type FromObjectOptions } from "./ensign-event.js";

/**
 * TypeScript equivalents of pyensign's decorators and base classes. Python decorators find the
 * client through a global set up by `@authenticate`; here the client is passed explicitly (or
 * made and closed by `withEnsign`), which keeps the helpers typed and testable.
 */

/** `@authenticate`: runs `fn` with a fresh client that is closed afterwards, whatever happens. */
export function withEnsign<A extends unknown[], R>(
  options: EnsignOptions,
  fn: (client: Ensign, ...args: A) => Promise<R> | R,
): (...args: A) => Promise<R> {
  return async (...args: A) => {
    const client = new Ensign(options);
    try {
      return await fn(client, ...args);
    } finally {
      await client.close();
    }
  };
}

export interface PublishesOptions extends FromObjectOptions {
  /** Create the topic on first use. */
  readonly ensureExists?: boolean;
  /** Wait for each event's ack before returning (default true); a nack is then thrown. */
  readonly waitForAck?: boolean;
}

/**
 * `@publisher(topic)`: wraps a function so its result is published as an event (bytes as
 * octet-stream, strings as text, anything else as JSON, or with `mimetype`/`encoder`);
 * `undefined` and `null` are not published. Returns the function's result.
 */
export function publishes<A extends unknown[], R>(
  client: Ensign,
  topic: string,
  fn: (...args: A) => Promise<R> | R,
  options: PublishesOptions = {},
): (...args: A) => Promise<R> {
  return async (...args: A) => {
    const result = await fn(...args);
    if (result !== undefined && result !== null) await publishValues(client, topic, [result], options);
    return result;
  };
}

/** `@publisher` on a generator: every yielded value is published, then passed on. */
export function publishesEach<A extends unknown[], R>(
  client: Ensign,
  topic: string,
  fn: (...args: A) => AsyncIterable<R> | Iterable<R>,
  options: PublishesOptions = {},
): (...args: A) => AsyncGenerator<R> {
  return async function* (...args: A) {
    for await (const value of fn(...args)) {
      if (value !== undefined && value !== null) await publishValues(client, topic, [value], options);
      yield value;
    }
  };
}

async function publishValues(client: Ensign, topic: string, values: readonly unknown[], options: PublishesOptions): Promise<EnsignEvent[]> {
  const events = values.map((v) => EnsignEvent.fromObject(v, options));
  await client.publish(topic, events, { ensureExists: options.ensureExists ?? false });
  if (options.waitForAck ?? true) await Promise.all(events.map((e) => e.waitForAck()));
  return events;
}

/** A running subscription handler: `stop()` ends it, `done` settles when it has ended. */
export interface SubscriberRun {
  readonly ready: Promise<void>;
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

/**
 * `@subscriber(*topics)` on a per-event function: calls `handler` for every event of the topics
 * (an event the handler did not answer is acked after it returns; a throwing handler nacks it
 * with UNPROCESSED and ends the run with that error).
 */
export function subscribes(client: Ensign, topics: readonly string[], handler: (event: EnsignEvent) => Promise<void> | void): SubscriberRun {
  if (topics.length === 0) throw new ValidationError("subscribes() needs at least one topic", "topics");
  const subscription = client.subscribe(...topics);
  const done = (async () => {
    for await (const event of subscription) {
      try {
        await handler(event);
      } catch (error) {
        if (event.state === "subscribed") await event.nack(100);
        throw error;
      }
      if (event.state === "subscribed") await event.ack();
    }
  })();
  done.catch(() => undefined);
  return { ready: subscription.ready, done, stop: () => subscription.close() };
}

/** pyensign's `Publisher` class: publishes what an iterator yields to one topic. */
export class Publisher {
  readonly topic: string;
  readonly client: Ensign;
  readonly #ownsClient: boolean;
  readonly #options: PublishesOptions;

  constructor(topic: string, options: EnsignOptions & PublishesOptions & { client?: Ensign } = {}) {
    if (typeof topic !== "string" || topic === "") throw new ValidationError("Publisher needs a topic", "topic");
    this.topic = topic;
    this.#ownsClient = options.client === undefined;
    this.client = options.client ?? new Ensign(options);
    this.#options = options;
  }

  /** Publishes every item, waits for all acks and rethrows the first failure; closes its own client. */
  async run(source: Iterable<unknown> | AsyncIterable<unknown>): Promise<number> {
    const events: EnsignEvent[] = [];
    try {
      for await (const item of source) {
        if (item === undefined || item === null) continue;
        const event = item instanceof EnsignEvent ? item : EnsignEvent.fromObject(item, this.#options);
        events.push(event);
        await this.client.publish(this.topic, event, { ensureExists: this.#options.ensureExists ?? false });
      }
      await Promise.all(events.map((e) => e.waitForAck()));
      return events.length;
    } finally {
      if (this.#ownsClient) await this.client.close();
    }
  }
}

/** pyensign's `Subscriber` class: override `onEvent` (the default acks); `run()` consumes until `stop()`. */
export class Subscriber {
  readonly topics: readonly string[];
  readonly client: Ensign;
  readonly #ownsClient: boolean;
  #subscription: EnsignSubscription | undefined;

  constructor(topics: readonly string[], options: EnsignOptions & { client?: Ensign } = {}) {
    if (!Array.isArray(topics) || topics.length === 0) throw new ValidationError("Subscriber needs at least one topic", "topics");
    this.topics = [...topics];
    this.#ownsClient = options.client === undefined;
    this.client = options.client ?? new Ensign(options);
  }

  async onEvent(event: EnsignEvent): Promise<void> {
    await event.ack();
  }

  /** Resolves once the server is delivering to this subscriber. */
  get ready(): Promise<void> {
    return this.#subscription?.ready ?? Promise.reject(new ValidationError("run() has not been called", "subscriber"));
  }

  async run(): Promise<void> {
    this.#subscription = this.client.subscribe(...this.topics);
    try {
      for await (const event of this.#subscription) await this.onEvent(event);
    } finally {
      if (this.#ownsClient) await this.client.close();
    }
  }

  async stop(): Promise<void> {
    await this.#subscription?.close();
  }
}
