// The emulator's in-memory transaction log: one global ordered log of records (the `$all` stream)
// plus a per-stream index. Append rules follow EventStoreDB's IndexWriter.CheckCommit: expected
// version checks, idempotency by event id, soft-deleted and tombstoned streams.
import { randomUUID } from "node:crypto";
import type { Journal } from "./journal.js";
import { effectiveMetadata, isVisible, parseStreamMetadata, type StreamMetadata } from "./metadata.js";

/** EventNumber.DeletedStream: revision of a tombstone record and `$tb` of a soft-deleted stream. */
export const DELETED_STREAM = 9223372036854775807n;
/** The server's internal expected-version numbers (they show up in error trailers). */
export const EXPECTED_ANY = -2n;
export const EXPECTED_NO_STREAM = -1n;
export const EXPECTED_STREAM_EXISTS = -4n;

export interface ProposedEvent {
  readonly id: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly customMetadata: Uint8Array;
}

export interface StoredEvent extends ProposedEvent {
  readonly stream: string;
  readonly revision: bigint;
  /** 100-ns ticks since the Unix epoch, as the server puts it in the `created` metadata key. */
  readonly created: bigint;
  /** Commit position == prepare position (single-stream gRPC writes). */
  readonly position: bigint;
}

export type AppendOutcome =
  | { readonly kind: "success"; readonly currentRevision: bigint; readonly position: bigint | undefined }
  | { readonly kind: "wrongExpectedVersion"; readonly currentVersion: bigint; readonly expected: bigint }
  | { readonly kind: "streamDeleted" };

interface StreamIndex {
  readonly events: StoredEvent[];
  tombstoned: boolean;
}

const TICKS_PER_MS = 10_000n;
const RECORD_OVERHEAD = 88n;

export class EventStore {
  readonly #log: StoredEvent[] = [];
  readonly #streams = new Map<string, StreamIndex>();
  readonly #eventIds = new Map<string, { stream: string; revision: bigint }>();
  /** Live subscriptions: dropped when the server is force-stopped. */
  readonly #listeners = new Set<(event: StoredEvent) => void>();
  /** Server-side machinery (persistent subscriptions) that outlives a stop/restart. */
  readonly #internalListeners = new Set<(event: StoredEvent) => void>();
  /**
   * Synthetic byte offset of the next record. The real log starts with chunk-header and epoch
   * records, so no event sits at position 0 (which clients and `C:0/P:0` use to mean START).
   */
  #nextPosition = 256n;
  /** Injected clock (ms) so `$maxAge` can be tested without sleeping. */
  now: () => number = () => Date.now();

  readonly #journal: Journal | undefined;

  /** With a journal, the log is replayed from it (a fresh one is seeded) and every write goes to it. */
  constructor(journal?: Journal) {
    this.#journal = journal;
    if (journal !== undefined && journal.records.length > 0) this.#replay(journal.records);
    else this.#seedSystemEvents();
  }

  #replay(records: readonly StoredEvent[]): void {
    for (const record of records) {
      const index = this.#indexOf(record.stream);
      index.events.push(record);
      if (record.revision === DELETED_STREAM) index.tombstoned = true;
      else this.#eventIds.set(record.id, { stream: record.stream, revision: record.revision });
      this.#log.push(record);
      this.#nextPosition = record.position + recordSize(record) + RECORD_OVERHEAD;
    }
  }

  get log(): readonly StoredEvent[] {
    return this.#log;
  }

  /** Position after the last record: where a subscription from END starts. */
  get headPosition(): bigint {
    return this.#nextPosition;
  }

  /** Index in the log of the first record at or after `position` (binary search). */
  firstIndexAtOrAfter(position: bigint): number {
    let low = 0;
    let high = this.#log.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.#log[middle]!.position < position) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  onAppended(listener: (event: StoredEvent) => void, options: { survivesStop?: boolean } = {}): () => void {
    const listeners = options.survivesStop === true ? this.#internalListeners : this.#listeners;
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  /** Drops every live listener (used when the server is force-stopped). */
  detachListeners(): void {
    this.#listeners.clear();
  }

  /** Last event number as the server's index sees it (ignores truncation); -1 when none. */
  lastEventNumber(stream: string): bigint {
    const index = this.#streams.get(stream);
    if (index === undefined) return -1n;
    if (index.tombstoned) return DELETED_STREAM;
    const last = index.events.at(-1);
    return last === undefined ? -1n : last.revision;
  }

  /** The stream's last record as written, whatever truncation or deletion hides from readers. */
  lastRecord(stream: string): StoredEvent | undefined {
    return this.#streams.get(stream)?.events.at(-1);
  }

  isTombstoned(stream: string): boolean {
    return this.#streams.get(stream)?.tombstoned === true;
  }

  metadataOf(stream: string): StreamMetadata {
    const last = this.#streams.get(`$$${stream}`)?.events.at(-1);
    return last === undefined ? {} : parseStreamMetadata(last.data);
  }

  isSoftDeleted(stream: string): boolean {
    return this.metadataOf(stream).truncateBefore === DELETED_STREAM;
  }

  /**
   * The stream's readable events: `undefined` when the stream does not exist for readers
   * (never written, or soft-deleted), else the events surviving `$tb`/`$maxCount`/`$maxAge`.
   */
  readableEvents(stream: string): readonly StoredEvent[] | undefined {
    const index = this.#streams.get(stream);
    if (index === undefined || index.events.length === 0) return undefined;
    const metadata = effectiveMetadata(stream, this.metadataOf(stream));
    if (metadata.truncateBefore === DELETED_STREAM) return undefined;
    const last = index.events.at(-1)!.revision;
    const nowTicks = BigInt(this.now()) * TICKS_PER_MS;
    return index.events.filter((event) => isVisible(event, last, metadata, nowTicks));
  }

  append(stream: string, expected: bigint, events: readonly ProposedEvent[]): AppendOutcome {
    const check = this.#checkCommit(stream, expected, events);
    if (check.kind !== "ok") return check;
    if (events.length === 0) {
      return { kind: "success", currentRevision: check.current, position: undefined };
    }
    const softDeleted = check.softDeleted;
    // Decided before the write, as the server does: new metadata for a soft-deleted stream must
    // not make its deleted events visible again.
    const undeletesTarget = stream.startsWith("$$") && this.isSoftDeleted(stream.slice(2));
    const written = this.#write(stream, check.current, events);
    if (softDeleted) this.#softUndelete(stream, check.current + 1n);
    else if (undeletesTarget) {
      // Writing the metastream of a soft-deleted stream undeletes it (SoftUndeleteMetastream).
      const original = stream.slice(2);
      this.#softUndelete(original, this.lastEventNumber(original) + 1n);
    }
    const last = written.at(-1)!;
    return { kind: "success", currentRevision: last.revision, position: last.position };
  }

  /** Soft delete: the stream reads as not found; a later append recreates it (revisions continue). */
  softDelete(stream: string, expected: bigint): AppendOutcome {
    const check = this.#checkDelete(stream, expected);
    if (check !== undefined) return check;
    const metadata = { ...this.#rawMetadata(stream), $tb: Number.MAX_SAFE_INTEGER };
    const payload = encodeJson(metadata).replace(String(Number.MAX_SAFE_INTEGER), DELETED_STREAM.toString());
    const [event] = this.#write(`$$${stream}`, this.lastEventNumber(`$$${stream}`), [
      systemEvent("$metadata", payload),
    ]);
    return { kind: "success", currentRevision: this.lastEventNumber(stream), position: event!.position };
  }

  /** Hard delete: writes a `$streamDeleted` record; the stream is gone forever. */
  tombstone(stream: string, expected: bigint): AppendOutcome {
    // A hard delete goes through the writer's commit check with no events (so `no_stream` on a
    // stream that was never written succeeds), unlike the soft delete above.
    const check = this.#checkCommit(stream, expected, []);
    if (check.kind !== "ok") return check;
    const record = this.#record(stream, DELETED_STREAM, systemEvent("$streamDeleted", ""));
    const index = this.#indexOf(stream);
    index.events.push(record);
    index.tombstoned = true;
    this.#publish([record]);
    return { kind: "success", currentRevision: DELETED_STREAM, position: record.position };
  }

  /** Soft delete: no_stream needs at least the metastream (DeleteNoStream / DeleteWithExistingMetadata). */
  #checkDelete(stream: string, expected: bigint): AppendOutcome | undefined {
    const current = this.lastEventNumber(stream);
    if (current === DELETED_STREAM) return { kind: "streamDeleted" };
    if (expected === EXPECTED_ANY) return undefined;
    const exists = current >= 0n;
    if (expected === EXPECTED_STREAM_EXISTS && exists) return undefined;
    if (expected === current && expected !== EXPECTED_NO_STREAM) return undefined;
    // Deleting with no_stream succeeds only when just the metastream exists.
    if (expected === EXPECTED_NO_STREAM && !exists && this.lastEventNumber(`$$${stream}`) >= 0n) return undefined;
    return { kind: "wrongExpectedVersion", currentVersion: current, expected };
  }

  #checkCommit(
    stream: string,
    expected: bigint,
    events: readonly ProposedEvent[],
  ): AppendOutcome | { kind: "ok"; current: bigint; softDeleted: boolean } {
    const current = this.lastEventNumber(stream);
    const wrong = { kind: "wrongExpectedVersion", currentVersion: current, expected } as const;
    if (current === DELETED_STREAM) return { kind: "streamDeleted" };
    if (expected === EXPECTED_STREAM_EXISTS) {
      if (this.isSoftDeleted(stream)) return { kind: "streamDeleted" };
      if (current < 0n && this.lastEventNumber(`$$${stream}`) < 0n) return wrong;
    }
    if (expected === EXPECTED_ANY || expected === EXPECTED_STREAM_EXISTS) {
      let first: bigint | undefined;
      let last: bigint | undefined;
      for (const event of events) {
        const known = this.#eventIds.get(event.id);
        if (known === undefined || known.stream !== stream) {
          if (first === undefined) return { kind: "ok", current, softDeleted: this.isSoftDeleted(stream) };
          return wrong; // corrupted idempotency
        }
        first ??= known.revision;
        last = known.revision;
      }
      if (last === undefined) return { kind: "ok", current, softDeleted: this.isSoftDeleted(stream) };
      return this.#idempotent(stream, last);
    }
    if (expected < current) {
      let revision = expected;
      for (const event of events) {
        revision += 1n;
        const known = this.#eventIds.get(event.id);
        if (known !== undefined && known.stream === stream && known.revision === revision) continue;
        if (revision !== expected + 1n) return wrong;
        if (expected === EXPECTED_NO_STREAM && this.isSoftDeleted(stream)) {
          return { kind: "ok", current, softDeleted: true };
        }
        return wrong;
      }
      if (revision === expected) return wrong;
      return this.#idempotent(stream, revision);
    }
    if (expected > current) return wrong;
    return { kind: "ok", current, softDeleted: this.isSoftDeleted(stream) };
  }

  #idempotent(stream: string, revision: bigint): AppendOutcome {
    const event = this.#streams.get(stream)?.events.find((candidate) => candidate.revision === revision);
    return { kind: "success", currentRevision: revision, position: event?.position };
  }

  #rawMetadata(stream: string): Record<string, unknown> {
    const last = this.#streams.get(`$$${stream}`)?.events.at(-1);
    if (last === undefined) return {};
    try {
      const parsed: unknown = JSON.parse(Buffer.from(last.data).toString("utf8"));
      return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }

  #softUndelete(stream: string, truncateBefore: bigint): void {
    const metadata = { ...this.#rawMetadata(stream), $tb: Number.MAX_SAFE_INTEGER };
    const payload = encodeJson(metadata).replace(String(Number.MAX_SAFE_INTEGER), truncateBefore.toString());
    this.#write(`$$${stream}`, this.lastEventNumber(`$$${stream}`), [systemEvent("$metadata", payload)]);
  }

  #write(stream: string, current: bigint, events: readonly ProposedEvent[]): StoredEvent[] {
    const index = this.#indexOf(stream);
    const written = events.map((event, offset) => this.#record(stream, current + 1n + BigInt(offset), event));
    for (const record of written) {
      index.events.push(record);
      this.#eventIds.set(record.id, { stream, revision: record.revision });
    }
    this.#publish(written);
    return written;
  }

  #record(stream: string, revision: bigint, event: ProposedEvent): StoredEvent {
    const position = this.#nextPosition;
    const record = { ...event, stream, revision, position, created: BigInt(this.now()) * TICKS_PER_MS };
    this.#nextPosition += recordSize(record) + RECORD_OVERHEAD;
    return record;
  }

  #indexOf(stream: string): StreamIndex {
    let index = this.#streams.get(stream);
    if (index === undefined) {
      index = { events: [], tombstoned: false };
      this.#streams.set(stream, index);
    }
    return index;
  }

  #publish(records: readonly StoredEvent[]): void {
    this.#journal?.write(records);
    for (const record of records) this.#log.push(record);
    for (const record of records) {
      for (const listener of [...this.#listeners]) listener(record);
      for (const listener of [...this.#internalListeners]) listener(record);
    }
  }

  /** A fresh EventStoreDB is never empty: it writes users, settings and similar system records. */
  #seedSystemEvents(): void {
    this.#write("$users", -1n, [systemEvent("$User", "admin")]);
    this.#write("$user-admin", -1n, [
      systemEvent("$user", encodeJson({ loginName: "admin", fullName: "Event Store Administrator", groups: ["$admins"] })),
    ]);
    this.#write("$user-ops", -1n, [
      systemEvent("$user", encodeJson({ loginName: "ops", fullName: "Event Store Operations", groups: ["$ops"] })),
    ]);
    this.#write("$settings", -1n, [
      systemEvent(
        "$settings",
        encodeJson({ $userStreamAcl: { $r: "$all", $w: "$all", $d: "$all", $mr: "$all", $mw: "$all" } }),
      ),
    ]);
  }
}

function recordSize(record: StoredEvent): bigint {
  return BigInt(record.data.length + record.customMetadata.length + record.type.length + record.stream.length);
}

function systemEvent(type: string, json: string): ProposedEvent {
  return {
    id: randomUUID(),
    type,
    contentType: "application/json",
    data: Buffer.from(json, "utf8"),
    customMetadata: new Uint8Array(),
  };
}

function encodeJson(value: unknown): string {
  return JSON.stringify(value);
}
