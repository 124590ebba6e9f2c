import { notify, silentLogger, type Logger } from "../../core/observability/logger.js";
import { isConnectionError } from "../../core/errors.js";
import type { RetryOptions } from "../../core/event-stream.js";
import { backoffDelay, sleep } from "../../core/subscription.js";
import type { EnsignConnection } from "./connection.js";
import { fromEnsignWrapper, type TopicEntry } from "./event-mapping.js";
import { buildQuery } from "./query-cursor.js";
import type { TopicsApi } from "./topics.js";
import type { EventWrapper } from "./wire/messages.js";

/** An entry with its per-stream revision. */
export interface NumberedEntry {
  readonly entry: TopicEntry;
  readonly revision: bigint;
}

/** Where an event of a stream is known to be: read from the topic (with its entry) or only acknowledged. */
export interface KnownEvent {
  readonly revision: bigint;
  /** Undefined while the event is acknowledged but not read back yet (its offset is unknown). */
  readonly entry: TopicEntry | undefined;
}

const PAGE_SIZE = 5000;

/**
 * This client's view of one topic, built from EnSQL `SELECT * FROM topic OFFSET n LIMIT m`
 * (the only parts of a query the Ensign server evaluates) and extended incrementally from the
 * last offset read. Rows are filtered client-side by our reserved metadata, de-duplicated by
 * (stream, event id) — a re-sent publish can store an event twice — and numbered per stream in
 * topic order, so every client derives the same revisions from the same topic.
 */
export class TopicLog {
  readonly topic: string;
  readonly #connection: EnsignConnection;
  readonly #topics: TopicsApi;
  readonly #all: NumberedEntry[] = [];
  readonly #streams = new Map<string, NumberedEntry[]>();
  readonly #seen = new Map<string, NumberedEntry>();
  /** Acknowledged events numbered by their writer (single-writer) and not read back yet: key → revision. */
  readonly #reserved = new Map<string, bigint>();
  /** Per stream, how many of its events are reserved. */
  readonly #reservedPerStream = new Map<string, number>();
  /** Per stream with reservations, the highest reserved revision whose publish was acknowledged. */
  readonly #acknowledged = new Map<string, bigint>();
  #rows = 0n;
  #exists = false;
  #readOnce = false;
  #current: Promise<void> | undefined;
  #queued: Promise<void> | undefined;
  readonly stats = { queries: 0, rows: 0, duplicates: 0, foreign: 0, undecodable: 0, retries: 0, reservedMismatches: 0 };

  readonly #retry: Required<RetryOptions>;

  readonly #logger: () => Logger;

  constructor(topic: string, connection: EnsignConnection, topics: TopicsApi, retry: Required<RetryOptions>, logger: () => Logger = () => silentLogger) {
    this.topic = topic;
    this.#logger = logger;
    this.#connection = connection;
    this.#topics = topics;
    this.#retry = retry;
  }

  /** Rows read so far: the next EnSQL OFFSET, and one past the last position. */
  get rowCount(): bigint {
    return this.#rows;
  }

  /** True once a refresh has completed. */
  get readOnce(): boolean {
    return this.#readOnce;
  }

  get entries(): readonly NumberedEntry[] {
    return this.#all;
  }

  stream(stream: string): readonly NumberedEntry[] | undefined {
    return this.#streams.get(stream);
  }

  find(stream: string, id: string): NumberedEntry | undefined {
    return this.#seen.get(key(stream, id));
  }

  /** An event of the stream, read back or only reserved (acknowledged, numbered by its writer). */
  known(stream: string, id: string): KnownEvent | undefined {
    const k = key(stream, id);
    const read = this.#seen.get(k);
    if (read) return read;
    const revision = this.#reserved.get(k);
    return revision === undefined ? undefined : { revision, entry: undefined };
  }

  /** Events of the stream this log knows of: read back plus reserved. */
  streamLength(stream: string): number {
    return (this.#streams.get(stream)?.length ?? 0) + (this.#reservedPerStream.get(stream) ?? 0);
  }

  /** Reserved events of one stream (or of the whole topic) not read back yet. */
  reservedCount(stream?: string): number {
    return stream === undefined ? this.#reserved.size : (this.#reservedPerStream.get(stream) ?? 0);
  }

  /**
   * Numbers acknowledged events of a stream without reading them back: only for a writer whose
   * view of the stream is current (consistency=single-writer), with the events in publish order.
   * A later refresh reads them and gives each the same revision (numbering is by topic order
   * after de-duplication, and nobody else writes the stream); it drops the reservation then.
   * Returns the revision of the last one.
   */
  reserve(stream: string, ids: readonly string[]): bigint {
    let next = BigInt(this.streamLength(stream));
    for (const id of ids) this.#reserved.set(key(stream, id), next++);
    this.#reservedPerStream.set(stream, (this.#reservedPerStream.get(stream) ?? 0) + ids.length);
    return next - 1n;
  }

  /** Index of the first entry with an offset ≥ `offset` (entries are in offset order). */
  indexAtOrAfter(offset: bigint): number {
    let lo = 0;
    let hi = this.#all.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#all[mid]!.entry.offset < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The read running now, if any (it may have started before the caller's event was stored). */
  get running(): Promise<void> | undefined {
    return this.#current;
  }

  /**
   * Reads what was added since the last refresh. Concurrent callers share reads, but a caller
   * never gets a read that started before its call: if one is running, one more is queued.
   */
  refresh(): Promise<void> {
    if (this.#queued) return this.#queued;
    if (this.#current) {
      this.#queued = this.#current
        .catch(() => undefined)
        .then(() => {
          this.#queued = undefined;
          return this.#start();
        });
      return this.#queued;
    }
    return this.#start();
  }

  #start(): Promise<void> {
    const run = this.#fetch().then(() => {
      this.#readOnce = true;
    });
    const clear = () => {
      if (this.#current === run) this.#current = undefined;
    };
    run.then(clear, clear);
    this.#current = run;
    return run;
  }

  /** A dropped connection (e.g. a server restart) is retried with backoff; rows already read are kept. */
  async #fetch(): Promise<void> {
    for (let failures = 0; ; ) {
      try {
        return await this.#fetchOnce();
      } catch (error) {
        if (!isConnectionError(error) || this.#connection.closed || ++failures > this.#retry.maxAttempts) throw error;
        this.stats.retries++;
        await sleep(backoffDelay(failures, this.#retry));
      }
    }
  }

  async #fetchOnce(): Promise<void> {
    if (!this.#exists) {
      // EnSQL refuses unknown topics; a topic nobody created yet simply has no events.
      if (!(await this.#topics.exists(this.topic))) return;
      this.#exists = true;
    }
    while (true) {
      this.stats.queries++;
      const query = buildQuery(`SELECT * FROM ${this.topic} OFFSET ${this.#rows} LIMIT ${PAGE_SIZE}`, { includeDuplicates: true });
      let count = 0;
      for await (const wrapper of this.#connection.serverStream<EventWrapper>("EnSQL", query)) {
        count++;
        this.#add(wrapper);
      }
      if (count < PAGE_SIZE) return;
    }
  }

  #add(wrapper: EventWrapper): void {
    const offset = this.#rows++;
    this.stats.rows++;
    let entry: TopicEntry | undefined;
    try {
      entry = fromEnsignWrapper(wrapper, offset);
    } catch (error) {
      // One malformed row must not make the whole topic unreadable; say so once per row.
      this.stats.undecodable++;
      notify(this.#logger(), {
        level: "warn",
        code: "ENSIGN_ROW_UNDECODABLE",
        message: `Ensign topic ${this.topic}: row ${offset} cannot be decoded and is skipped: ${(error as Error).message}`,
        attributes: { topic: this.topic, offset: Number(offset) },
        error,
      });
      return;
    }
    if (!entry) {
      this.stats.foreign++;
      return;
    }
    const k = key(entry.streamId, entry.id);
    if (this.#seen.has(k)) {
      this.stats.duplicates++;
      return;
    }
    let list = this.#streams.get(entry.streamId);
    if (!list) this.#streams.set(entry.streamId, (list = []));
    const numbered: NumberedEntry = { entry, revision: BigInt(list.length) };
    const reservedCount = this.#reservedPerStream.get(entry.streamId);
    if (reservedCount !== undefined) this.#settleReservation(k, numbered, reservedCount);
    list.push(numbered);
    this.#all.push(numbered);
    this.#seen.set(k, numbered);
  }

  /** The writer's publish of reserved events up to `revision` was acknowledged: reads must show them. */
  acknowledge(stream: string, revision: bigint): void {
    if ((this.#streams.get(stream)?.length ?? 0) > revision) return; // already read back
    if (revision > (this.#acknowledged.get(stream) ?? -1n)) this.#acknowledged.set(stream, revision);
  }

  /**
   * What "read back" means now: per stream, the length the read part must reach to hold every
   * reserved event acknowledged so far. Events still in flight are not waited for, so a writer
   * that keeps appending (or a publish stuck reconnecting) cannot starve a reader.
   */
  readBackTargets(stream?: string): ReadonlyMap<string, number> {
    const targets = new Map<string, number>();
    if (stream !== undefined) {
      const revision = this.#acknowledged.get(stream);
      if (revision !== undefined) targets.set(stream, Number(revision) + 1);
    } else {
      for (const [s, revision] of this.#acknowledged) targets.set(s, Number(revision) + 1);
    }
    return targets;
  }

  /** True when every target is read. */
  readBack(targets: ReadonlyMap<string, number>): boolean {
    for (const [stream, target] of targets) if ((this.#streams.get(stream)?.length ?? 0) < target) return false;
    return true;
  }

  /** Drops the reservations of events whose publish failed (their revisions are unknown now). */
  release(stream: string, ids: readonly string[]): void {
    let count = this.#reservedPerStream.get(stream) ?? 0;
    for (const id of ids) if (this.#reserved.delete(key(stream, id))) count--;
    if (count > 0) this.#reservedPerStream.set(stream, count);
    else {
      this.#reservedPerStream.delete(stream);
      this.#acknowledged.delete(stream);
    }
  }

  /** A reserved event was read back: drop its reservation; a different revision means a second writer. */
  #settleReservation(k: string, numbered: NumberedEntry, reservedCount: number): void {
    const reserved = this.#reserved.get(k);
    if (reserved === undefined) {
      // An event of the stream that its single writer did not publish, read before the writer's own.
      this.stats.reservedMismatches++;
      notify(this.#logger(), {
        level: "warn",
        code: "ENSIGN_SINGLE_WRITER_CONFLICT",
        message: `Ensign topic ${this.topic}: stream "${numbered.entry.streamId}" got event ${numbered.entry.id} from another writer while this process held it as single writer; revisions it returned may be wrong`,
        attributes: { topic: this.topic, stream: numbered.entry.streamId, eventId: numbered.entry.id },
      });
      return;
    }
    this.#reserved.delete(k);
    if (reservedCount <= 1) {
      this.#reservedPerStream.delete(numbered.entry.streamId);
      this.#acknowledged.delete(numbered.entry.streamId);
    } else this.#reservedPerStream.set(numbered.entry.streamId, reservedCount - 1);
    if (reserved !== numbered.revision) {
      this.stats.reservedMismatches++;
      notify(this.#logger(), {
        level: "warn",
        code: "ENSIGN_SINGLE_WRITER_CONFLICT",
        message: `Ensign topic ${this.topic}: event ${numbered.entry.id} of "${numbered.entry.streamId}" was returned as revision ${reserved} but reads as ${numbered.revision} (another writer?)`,
        attributes: { topic: this.topic, stream: numbered.entry.streamId, eventId: numbered.entry.id },
      });
    }
  }
}

function key(stream: string, id: string): string {
  return `${stream}\u0000${id}`;
}
