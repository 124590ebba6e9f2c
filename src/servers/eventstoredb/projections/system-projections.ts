// The server's five standard ("system") projections, as native handlers: which `$all` records each
// one sees and what it emits for them. Facts from EventStoreDB's
// src/EventStore.Projections.Core/Standard/*.cs and .../TransactionFile/TransactionFileEventFilter.cs.
import { parseStreamMetadata } from "../metadata.js";
import { DELETED_STREAM, type StoredEvent } from "../store.js";

export const SYSTEM_PROJECTION_NAMES = [
  "$streams",
  "$stream_by_category",
  "$by_category",
  "$by_event_type",
  "$by_correlation_id",
] as const;

export type SystemProjectionName = (typeof SYSTEM_PROJECTION_NAMES)[number];

/** One event a projection writes: a `$>` link or a `$@` stream reference, never JSON. */
export interface Emission {
  readonly stream: string;
  readonly type: "$>" | "$@";
  readonly data: string;
  /** Extra metadata entries, values already JSON text, in the order the server writes them. */
  readonly extra: ReadonlyArray<readonly [string, string]>;
}

export interface SystemProjectionDefinition {
  readonly name: SystemProjectionName;
  /** `native:` handler type and source text, as the server registers them. */
  readonly handlerType: string;
  readonly query: string;
  /** Whether `$>` records reach the handler (SourceDefinitionBuilder.SetIncludeLinks). */
  readonly includeLinks: boolean;
  process(event: StoredEvent): readonly Emission[];
}

const LINK = "$>";

/** SystemStreams.IsSystemStream: every name starting with `$`. */
const isSystemStream = (stream: string) => stream.startsWith("$");
const isMetastream = (stream: string) => stream.startsWith("$$");

/**
 * TransactionFileEventFilter.PassesSource: links only when included, and only user streams or the
 * metastreams of user streams.
 */
export function passesSource(definition: SystemProjectionDefinition, event: StoredEvent): boolean {
  if (!definition.includeLinks && event.type === LINK) return false;
  if (!isSystemStream(event.stream)) return true;
  return isMetastream(event.stream) && !isSystemStream(event.stream.slice(2));
}

/** StreamCategoryExtractorByFirstSeparator with `-` (the servers' config `first\r\n-`). */
export function categoryOf(stream: string): string | undefined {
  if (stream.startsWith("$")) return undefined;
  const separator = stream.indexOf("-");
  return separator > 0 ? stream.slice(0, separator) : undefined;
}

/**
 * StreamDeletedHelper.IsStreamDeletedEvent: a `$streamDeleted` tombstone, or a `$metadata` record
 * of a metastream whose `$tb` is the deleted-stream marker (a soft delete). Returns the deleted stream.
 */
export function deletedStreamOf(event: StoredEvent): string | undefined {
  if (isMetastream(event.stream)) {
    if (event.type !== "$metadata") return undefined;
    return parseStreamMetadata(event.data).truncateBefore === DELETED_STREAM ? event.stream.slice(2) : undefined;
  }
  return event.type === "$streamDeleted" ? event.stream : undefined;
}

const text = (event: StoredEvent) => Buffer.from(event.data).toString("utf8");
const jsonString = (value: string) => JSON.stringify(value);

const streams: SystemProjectionDefinition = {
  name: "$streams",
  handlerType: "native:EventStore.Projections.Core.Standard.IndexStreams",
  query: "",
  includeLinks: true,
  process(event) {
    if (event.revision !== 0n) return [];
    return [{ stream: "$streams", type: LINK, data: `0@${event.stream}`, extra: [] }];
  },
};

const streamByCategory: SystemProjectionDefinition = {
  name: "$stream_by_category",
  handlerType: "native:EventStore.Projections.Core.Standard.CategorizeStreamByPath",
  query: "first\r\n-",
  includeLinks: true,
  process(event) {
    if (event.revision !== 0n) return [];
    const category = categoryOf(event.stream);
    if (category === undefined) return [];
    return [{ stream: `$category-${category}`, type: "$@", data: event.stream, extra: [] }];
  },
};

const byCategory: SystemProjectionDefinition = {
  name: "$by_category",
  handlerType: "native:EventStore.Projections.Core.Standard.CategorizeEventsByStreamPath",
  query: "first\r\n-",
  includeLinks: true,
  process(event) {
    const deleted = deletedStreamOf(event);
    const original = deleted ?? event.stream;
    const category = categoryOf(original);
    if (category === undefined) return [];
    const target = event.type === LINK ? text(event) : `${event.revision}@${event.stream}`;
    const extra: Array<readonly [string, string]> = [["$o", jsonString(original)]];
    if (deleted !== undefined) extra.push(["$deleted", "-1"]);
    return [{ stream: `$ce-${category}`, type: LINK, data: target, extra }];
  },
};

const byEventType: SystemProjectionDefinition = {
  name: "$by_event_type",
  handlerType: "native:EventStore.Projections.Core.Standard.IndexEventsByEventType",
  query: "",
  includeLinks: false,
  process(event) {
    if (event.type === LINK) return [];
    const deleted = deletedStreamOf(event);
    const type = deleted === undefined ? event.type : "$deleted";
    // The server links the record's own number to the deleted stream's name (IndexEventsByEventType).
    const data = `${event.revision}@${deleted ?? event.stream}`;
    return [{ stream: `$et-${type}`, type: LINK, data, extra: deleted === undefined ? [] : [["$deleted", "-1"]] }];
  },
};

const byCorrelationId: SystemProjectionDefinition = {
  name: "$by_correlation_id",
  handlerType: "native:EventStore.Projections.Core.Standard.ByCorrelationId",
  query: '{"correlationIdProperty":"$correlationId"}',
  includeLinks: false,
  process(event) {
    let metadata: unknown;
    try {
      metadata = JSON.parse(Buffer.from(event.customMetadata).toString("utf8"));
    } catch {
      return [];
    }
    if (typeof metadata !== "object" || metadata === null) return [];
    const correlationId = (metadata as Record<string, unknown>).$correlationId;
    if (typeof correlationId !== "string") return [];
    const extra = [["$eventTimestamp", jsonString(timestampOf(event.created))]] as const;
    return [{ stream: `$bc-${correlationId}`, type: LINK, data: `${event.revision}@${event.stream}`, extra }];
  },
};

/** `yyyy-MM-ddTHH:mm:ss.ffffffZ` from 100-ns ticks since the Unix epoch. */
function timestampOf(ticks: bigint): string {
  const iso = new Date(Number(ticks / 10_000n)).toISOString().slice(0, 19);
  const micros = ((ticks % 10_000_000n) / 10n).toString().padStart(6, "0");
  return `${iso}.${micros}Z`;
}

export const SYSTEM_PROJECTIONS: readonly SystemProjectionDefinition[] = [
  streams,
  streamByCategory,
  byCategory,
  byEventType,
  byCorrelationId,
];
