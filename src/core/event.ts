import type { Position } from "./position.js";

/** Metadata travels with an event. `correlationId`/`causationId` are the conventional keys. */
export interface EventMetadata {
  correlationId?: string;
  causationId?: string;
  [key: string]: unknown;
}

/** An event to append. */
export interface EventData<TType extends string = string, TData = unknown> {
  type: TType;
  data: TData;
  metadata?: EventMetadata;
  /** A UUID; fix it to make a retried append idempotent. Generated when absent. */
  id?: string;
  /** Defaults to `application/json`, or `application/octet-stream` for a Uint8Array. */
  contentType?: string;
  /** Positive integer version of the event's schema; defaults to 1. */
  schemaVersion?: number;
}

/** An event as stored. Revisions are 0-based on every backend. */
export interface RecordedEvent<TType extends string = string, TData = unknown> {
  readonly streamId: string;
  readonly revision: bigint;
  readonly position: Position;
  readonly id: string;
  readonly type: TType;
  readonly data: TData;
  readonly metadata: EventMetadata;
  readonly contentType: string;
  readonly schemaVersion: number;
  readonly createdAt: Date;
}

/**
 * The revision an append expects the stream to be at: any state, no stream, an existing stream,
 * or the exact revision of its last event.
 */
export type ExpectedRevision = "any" | "no_stream" | "stream_exists" | bigint;

/** What an append returns: where the stream now ends. */
export interface AppendResult {
  /** Revision of the last event written (or already present, for an idempotent retry). */
  readonly nextExpectedRevision: bigint;
  /** Global position of the last event written, where the backend has one. */
  readonly position: Position | undefined;
}

/** The name of the virtual stream that holds every event in global order. */
export const ALL_STREAM = "$all";
