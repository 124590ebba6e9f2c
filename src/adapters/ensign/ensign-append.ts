import { PartialAppendError, SwitchyardError } from "../../core/errors.js";
import type { AppendResult, ExpectedRevision } from "../../core/event.js";
import type { PreparedEvent } from "../../core/prepare.js";
import type { EnsignConfig } from "./config.js";
import type { Ensign } from "./ensign-client.js";
import { positionOf, toEnsignEventBytes } from "./event-mapping.js";
import { bumpWriteGeneration, checkExpectedRevision, withWriterLock, writeMark } from "./single-writer.js";
import type { KnownEvent } from "./topic-log.js";
import type { TopicViews } from "./topic-views.js";

/** Given by the single writer, whose view is current; set once publishing began. */
interface Attempt {
  published: boolean;
}

/**
 * Appends as Ensign allows: each event of a batch is published and acknowledged on its own (so a
 * batch can be partly stored), ids already in the stream are a retry and are not published again,
 * and with consistency=single-writer expected revisions are checked against this process's view.
 */
export class EnsignAppender {
  readonly #client: Ensign;
  readonly #views: TopicViews;
  readonly #singleWriter: boolean;
  /** With one topic the position ($all checkpoint) of an append is wanted, and only a read can tell it. */
  readonly #positionsWanted: boolean;
  readonly #seenGenerations = new Map<string, number>();
  /** Each event is encoded once: measured by core's size check, then published as measured. */
  readonly #encoded = new WeakMap<PreparedEvent, { readonly stream: string; readonly bytes: Uint8Array }>();

  constructor(client: Ensign, views: TopicViews, config: Pick<EnsignConfig, "consistency" | "topic">) {
    this.#client = client;
    this.#views = views;
    this.#singleWriter = config.consistency === "single-writer";
    this.#positionsWanted = config.topic !== undefined;
  }

  /** The serialized Ensign event's size: what the server's per-event limit counts. */
  sizeOf(stream: string, event: PreparedEvent): number {
    return this.#bytesOf(stream, event).byteLength;
  }

  append(stream: string, topic: string, events: readonly PreparedEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    const encoded = events.map((event) => this.#bytesOf(stream, event));
    if (!this.#singleWriter) return this.#publish(stream, topic, events, encoded, expected);
    // Appends to a stream are serialised in this process, and this driver's view of the stream is
    // authoritative while it is current: the view is re-read only when some other EventStream of
    // this process appended since this one last looked (or never read).
    const key = `${this.#client.settings.endpoint}|${stream}`;
    return withWriterLock(key, async () => {
      const log = this.#views.of(topic);
      const mark = writeMark(key);
      if ((this.#seenGenerations.get(key) ?? 0) !== mark.generation || !log.readOnce) {
        await log.refresh();
        if (mark.lastId !== undefined && !log.known(stream, mark.lastId)) await this.#views.awaitReadable(log, stream, mark.lastId);
        this.#seenGenerations.set(key, mark.generation);
      }
      const attempt: Attempt = { published: false };
      let lastId: string | undefined;
      try {
        const result = await this.#publish(stream, topic, events, encoded, expected, attempt);
        lastId = events[events.length - 1]!.id;
        return result;
      } finally {
        // Other views must re-read; so must this one when a failed publish may have stored part of it.
        if (attempt.published) {
          const generation = bumpWriteGeneration(key, lastId);
          if (lastId !== undefined) this.#seenGenerations.set(key, generation);
        }
      }
    });
  }

  async #publish(
    stream: string,
    topic: string,
    events: readonly PreparedEvent[],
    encoded: readonly Uint8Array[],
    expected: ExpectedRevision,
    attempt?: Attempt,
  ): Promise<AppendResult> {
    const viewIsCurrent = attempt !== undefined;
    const topicId = await this.#client.resolveTopicId(topic, true);
    const log = this.#views.of(topic);
    const ids = events.map((event) => event.id);
    const callerIds = events.some((event) => event.idGiven);
    if (!viewIsCurrent && (callerIds || expected !== "any")) await log.refresh();
    // Ids already in the stream: a retry. All present → nothing to write; some → write the rest.
    const present = callerIds ? ids.map((id) => log.known(stream, id)) : [];
    if (present.length > 0 && present.every((p) => p !== undefined)) return resultOf(present[present.length - 1]!);
    if (expected !== "any") checkExpectedRevision(stream, expected, log.streamLength(stream));
    const unwritten = present.length === 0 ? ids : ids.filter((_, i) => present[i] === undefined);
    const bytes = present.length === 0 ? encoded : encoded.filter((_, i) => present[i] === undefined);
    // The single writer numbers its events itself (the view is current, publishing is in order):
    // no read-back on the append's path, unless a position is wanted.
    const fromAcks = viewIsCurrent && !this.#positionsWanted;
    const reservedLast = fromAcks ? log.reserve(stream, unwritten) : undefined;
    const publisher = this.#client.publisher;
    if (attempt) attempt.published = true;
    const outcomes = await Promise.allSettled(bytes.map((b) => publisher.publish(topicId, b)));
    const failed = unwritten.filter((_, i) => outcomes[i]!.status === "rejected");
    if (failed.length > 0) {
      if (fromAcks) log.release(stream, unwritten);
      const acknowledged = ids.filter((id) => !failed.includes(id));
      const first = (outcomes.find((o) => o.status === "rejected") as PromiseRejectedResult).reason as unknown;
      if (acknowledged.length === 0 && first instanceof SwitchyardError) throw first;
      throw new PartialAppendError(stream, acknowledged, failed, { cause: first });
    }
    // Reservations are read back lazily, by the next read or subscription of the topic; holding
    // one (an id and a revision) costs less than the entry a read-back would keep instead.
    if (reservedLast !== undefined) {
      log.acknowledge(stream, reservedLast);
      return { nextExpectedRevision: reservedLast, position: undefined };
    }
    return resultOf(await this.#views.awaitReadable(log, stream, ids[ids.length - 1]!));
  }

  #bytesOf(stream: string, event: PreparedEvent): Uint8Array {
    const known = this.#encoded.get(event);
    if (known?.stream === stream) return known.bytes;
    const bytes = toEnsignEventBytes(stream, event);
    this.#encoded.set(event, { stream, bytes });
    return bytes;
  }
}

function resultOf(known: KnownEvent): AppendResult {
  return { nextExpectedRevision: known.revision, position: known.entry ? positionOf(known.entry.offset) : undefined };
}
