import {
  CodecRegistry,
  Position,
  StreamNotFoundError,
  WrongExpectedRevisionError,
  type AppendRequest,
  type AppendResult,
  type Capabilities,
  type EventStoreDriver,
  type Feed,
  type FeedMessage,
  type PreparedEvent,
  type ReadAllRequest,
  type ReadRequest,
  type RecordedEvent,
  type ResolvedTarget,
} from "../../src/index.js";

// #region driver
interface Entry {
  readonly stream: string;
  readonly revision: bigint;
  readonly index: number;
  readonly event: PreparedEvent;
  readonly createdAt: Date;
}

/**
 * A third-party backend in one file: a journal kept in this process. It only translates; the
 * runtime has already checked names, ids, metadata, sizes, options and closed state.
 */
export class JournalDriver implements EventStoreDriver {
  readonly capabilities: Capabilities = Object.freeze({
    backend: "journal",
    expectedRevision: true,
    atomicAppend: true,
    idempotentIds: false,
    readBackward: true,
    globalOrder: true,
    catchUpSubscriptions: true,
    categorySubscriptions: true,
    persistentSubscriptions: false,
    delete: false,
    tombstone: false,
    streamMetadata: false,
    maxAppendBytes: undefined,
    maxAppendBytesPer: "batch",
  });
  readonly positionParts = 1;
  readonly #entries: Entry[] = [];
  readonly #streams = new Map<string, Entry[]>();
  #wake: (() => void)[] = [];

  constructor(private readonly codecs: CodecRegistry) {}

  async append({ stream, events, expectedRevision }: AppendRequest): Promise<AppendResult> {
    const entries = this.#streams.get(stream) ?? [];
    const current = entries.length === 0 ? undefined : BigInt(entries.length - 1);
    const ok =
      expectedRevision === "any" ||
      (expectedRevision === "no_stream" ? current === undefined
      : expectedRevision === "stream_exists" ? current !== undefined
      : current === expectedRevision);
    if (!ok) throw new WrongExpectedRevisionError(stream, expectedRevision, current ?? "no_stream");
    const createdAt = new Date();
    for (const event of events) {
      const entry = { stream, revision: BigInt(entries.length), index: this.#entries.length, event, createdAt };
      entries.push(entry);
      this.#entries.push(entry);
    }
    this.#streams.set(stream, entries);
    for (const wake of this.#wake.splice(0)) wake();
    const last = entries[entries.length - 1]!;
    return { nextExpectedRevision: last.revision, position: new Position("journal", [BigInt(last.index)]) };
  }

  async *read({ stream, direction, from, maxCount }: ReadRequest): AsyncGenerator<RecordedEvent> {
    const entries = this.#streams.get(stream);
    if (!entries) throw new StreamNotFoundError(stream);
    const forwards = direction === "forwards";
    const picked = forwards ? entries : [...entries].reverse();
    const start =
      from === "start" ? 0
      : from === "end" ? (forwards ? entries.length : 0)
      : picked.findIndex((e) => (forwards ? e.revision >= from : e.revision <= from));
    yield* this.#decode(start < 0 ? [] : picked.slice(start), maxCount, () => true);
  }

  async *readAll({ direction, from, maxCount, filter }: ReadAllRequest): AsyncGenerator<RecordedEvent> {
    const all = direction === "forwards" ? this.#entries : [...this.#entries].reverse();
    const at = typeof from === "string" ? undefined : Number(from.parts[0]);
    const start =
      from === "start" ? 0
      : from === "end" ? (direction === "forwards" ? all.length : 0)
      : direction === "forwards" ? at! : all.length - 1 - Math.min(at!, all.length - 1);
    const matches = (e: Entry) =>
      (!filter?.streamPrefixes || filter.streamPrefixes.some((p) => e.stream.startsWith(p))) &&
      (!filter?.eventTypes || filter.eventTypes.includes(e.event.type));
    yield* this.#decode(all.slice(start), maxCount, matches);
  }

  feed(target: ResolvedTarget): Feed {
    const matches = (e: Entry) =>
      target.kind === "stream" ? e.stream === target.stream
      : target.kind === "category" ? e.stream.startsWith(target.prefix)
      : (!target.filter?.streamPrefixes || target.filter.streamPrefixes.some((p) => e.stream.startsWith(p))) &&
        (!target.filter?.eventTypes || target.filter.eventTypes.includes(e.event.type));
    const driver = this;
    return async function* (start, signal): AsyncGenerator<FeedMessage> {
      // Exclusive start: a revision for a stream, a position for a category or $all.
      const after = (e: Entry) =>
        start === "start" || start === "end" ? true // "end" skips history through `next` below
        : typeof start === "bigint" ? e.revision > start
        : BigInt(e.index) > start.parts[0]!;
      let next = start === "end" ? driver.#entries.length : 0;
      let caughtUp = false;
      const stopped = new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
      while (!signal.aborted) {
        const woken = new Promise<void>((resolve) => driver.#wake.push(resolve));
        // Up to what is stored now: "caught up" must come before events appended meanwhile.
        for (const end = driver.#entries.length; next < end; next++) {
          const entry = driver.#entries[next]!;
          if (matches(entry) && after(entry)) yield { kind: "event", event: driver.#toRecorded(entry) };
        }
        if (!caughtUp) yield { kind: "caughtUp" };
        caughtUp = true;
        await Promise.race([woken, stopped]);
      }
    };
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    for (const wake of this.#wake.splice(0)) wake();
  }

  *#decode(entries: readonly Entry[], maxCount: bigint | undefined, matches: (e: Entry) => boolean): Generator<RecordedEvent> {
    let delivered = 0n;
    for (const entry of entries) {
      if (maxCount !== undefined && delivered >= maxCount) return;
      if (!matches(entry)) continue;
      delivered++;
      yield this.#toRecorded(entry);
    }
  }

  #toRecorded({ stream, revision, index, event, createdAt }: Entry): RecordedEvent {
    return {
      streamId: stream,
      revision,
      position: new Position("journal", [BigInt(index)]),
      id: event.id,
      type: event.type,
      data: this.codecs.get(event.contentType).decode(event.data),
      metadata: structuredClone(event.metadata),
      contentType: event.contentType,
      schemaVersion: event.schemaVersion,
      createdAt,
    };
  }
}
// #endregion driver
