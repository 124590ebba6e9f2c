import { ConnectionError } from "../../core/errors.js";
import { sleep } from "../../core/subscription.js";
import type { Ensign } from "./ensign-client.js";
import { TopicLog, type NumberedEntry } from "./topic-log.js";

/** Read-backs are retried this many times, backing off up to 200 ms, before giving up (about 10 s). */
const READ_BACK_ATTEMPTS = 50;

/**
 * This driver's views of the topics it touches (one TopicLog each), and the waits for events
 * Ensign acknowledged to become readable by EnSQL: an ack means stored, not yet queryable.
 */
export class TopicViews {
  readonly #client: Ensign;
  readonly #closing: AbortSignal;
  readonly #logs = new Map<string, TopicLog>();

  constructor(client: Ensign, closing: AbortSignal) {
    this.#client = client;
    this.#closing = closing;
  }

  of(topic: string): TopicLog {
    let log = this.#logs.get(topic);
    if (!log) {
      const client = this.#client;
      this.#logs.set(topic, (log = new TopicLog(topic, client.connection, client.topics, client.reconnectPolicy, () => client.logger)));
    }
    return log;
  }

  /** Waits until EnSQL shows an acknowledged event, to learn its revision. */
  async awaitReadable(log: TopicLog, stream: string, id: string): Promise<NumberedEntry> {
    for (let attempt = 0; attempt < READ_BACK_ATTEMPTS; attempt++) {
      // Concurrent appends share reads: a read already running may show this event (numbering
      // is by topic order, so any read that shows it numbers it right); if not, queue one more.
      const running = log.running;
      if (running) await running.catch(() => undefined); // a failure resurfaces from refresh() below
      const found = log.find(stream, id);
      if (found) return found;
      await log.refresh();
      const entry = log.find(stream, id);
      if (entry) return entry;
      await this.#backOff(attempt);
    }
    throw new ConnectionError(`Event ${id} was acknowledged by Ensign but is not readable from topic ${log.topic} yet`);
  }

  /** Reads the topic until the events this writer numbered from acks, and had acknowledged, are read back (read-your-writes). */
  async refreshSettled(log: TopicLog, stream?: string): Promise<void> {
    const targets = log.readBackTargets(stream);
    await log.refresh();
    for (let attempt = 0; !log.readBack(targets); attempt++) {
      if (attempt >= READ_BACK_ATTEMPTS) throw new ConnectionError(`Acknowledged events are not readable from topic ${log.topic} yet`);
      await this.#backOff(attempt);
      await log.refresh();
    }
  }

  async #backOff(attempt: number): Promise<void> {
    await sleep(Math.min(10 * 2 ** attempt, 200), this.#closing);
    this.#closing.throwIfAborted();
  }
}
