/** What a backend can promise. The conformance suite runs or skips cases by these flags. */
export interface Capabilities {
  /** Backend name, also the prefix of its positions ("memory", "esdb", "ensign"). */
  readonly backend: string;
  /** Expected revisions other than "any" are enforced. */
  readonly expectedRevision: boolean;
  /** A batch is stored whole or not at all. */
  readonly atomicAppend: boolean;
  /** Re-appending events with the same ids is a no-op, not a duplicate. */
  readonly idempotentIds: boolean;
  readonly readBackward: boolean;
  /** `readAll` and `$all` subscriptions in one global order. */
  readonly globalOrder: boolean;
  readonly catchUpSubscriptions: boolean;
  /** Subscriptions to a category (streams sharing the prefix before `-`). */
  readonly categorySubscriptions: boolean;
  readonly persistentSubscriptions: boolean;
  /** Soft delete: the stream disappears, can be recreated, revisions continue. */
  readonly delete: boolean;
  /** Hard delete: the stream is gone for good. */
  readonly tombstone: boolean;
  /** Max count / max age / truncate-before per stream. */
  readonly streamMetadata: boolean;
  /** Largest append the backend accepts, in encoded bytes, if it has a limit. */
  readonly maxAppendBytes: number | undefined;
  /** What `maxAppendBytes` bounds: each event on its own (Ensign) or the whole batch (EventStoreDB, memory). */
  readonly maxAppendBytesPer: AppendLimitScope;
}

/** What `maxAppendBytes` bounds: each event, or the whole batch. */
export type AppendLimitScope = "event" | "batch";

/** The name of a yes/no capability, as `UnsupportedOperationError` reports it. */
export type CapabilityName = Exclude<keyof Capabilities, "backend" | "maxAppendBytes" | "maxAppendBytesPer">;

/**
 * What a backend with every capability declares (memory, EventStoreDB, PostgreSQL, SQLite): only
 * its name and append limit differ, and the limit bounds the whole batch.
 */
export function everyCapability(backend: string, maxAppendBytes: number | undefined): Capabilities {
  return Object.freeze({
    backend,
    expectedRevision: true,
    atomicAppend: true,
    idempotentIds: true,
    readBackward: true,
    globalOrder: true,
    catchUpSubscriptions: true,
    categorySubscriptions: true,
    persistentSubscriptions: true,
    delete: true,
    tombstone: true,
    streamMetadata: true,
    maxAppendBytes,
    maxAppendBytesPer: "batch",
  });
}
