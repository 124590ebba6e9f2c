// The order a copy reads its source in: global order where the source has one (readAll), else
// stream by stream for the streams the user names. A cursor marks the last event copied.
import type { RecordedEvent } from "../../core/event.js";
import type { EventStream } from "../../core/event-stream.js";
import { Position } from "../../core/position.js";
import { filterOf, type Selection } from "./selection.js";

/** Where a copy stopped: a global position, or a stream (by its place in the list) and revision. */
export type Cursor =
  | { readonly kind: "global"; readonly position: string }
  | { readonly kind: "streams"; readonly stream: string; readonly revision: string };

export interface SourceOrder {
  readonly kind: Cursor["kind"];
  /** Streams known before reading (stream-by-stream order); global order finds them as it reads. */
  readonly namedStreams: readonly string[] | undefined;
  /** Every event from the cursor on (inclusive or not: callers drop what `isAfter` says is done). */
  events(from: Cursor | undefined): AsyncIterable<RecordedEvent>;
  cursorOf(event: RecordedEvent): Cursor;
  /** True when `event` comes after `cursor` in this order. */
  isAfter(event: RecordedEvent, cursor: Cursor): boolean;
}

export function globalOrder(source: Pick<EventStream, "capabilities" | "readAll">, selection: Selection): SourceOrder {
  const filter = filterOf(selection);
  const backend = source.capabilities.backend;
  return {
    kind: "global",
    namedStreams: undefined,
    events: (from) =>
      source.readAll({
        ...(from?.kind === "global" ? { from: Position.parse(from.position, backend) } : {}),
        ...(filter === undefined ? {} : { filter }),
      }),
    cursorOf: (event) => ({ kind: "global", position: event.position.toString() }),
    isAfter: (event, cursor) => cursor.kind !== "global" || event.position.compareTo(Position.parse(cursor.position, backend)) > 0,
  };
}

export function streamByStream(source: EventStream, streams: readonly string[]): SourceOrder {
  const place = new Map(streams.map((stream, index) => [stream, index]));
  return {
    kind: "streams",
    namedStreams: streams,
    async *events(from) {
      const start = from?.kind === "streams" ? (place.get(from.stream) ?? 0) : 0;
      for (const stream of streams.slice(start)) {
        const fromRevision = from?.kind === "streams" && from.stream === stream ? BigInt(from.revision) : undefined;
        try {
          yield* source.read(stream, fromRevision === undefined ? {} : { from: fromRevision });
        } catch (error) {
          // A missing or tombstoned stream has no events to read; the plan has recorded why.
          const code = (error as { code?: unknown }).code;
          if (code !== "STREAM_NOT_FOUND" && code !== "STREAM_DELETED") throw error;
        }
      }
    },
    cursorOf: (event) => ({ kind: "streams", stream: event.streamId, revision: event.revision.toString() }),
    isAfter(event, cursor) {
      if (cursor.kind !== "streams") return true;
      const at = place.get(event.streamId) ?? -1;
      const done = place.get(cursor.stream) ?? -1;
      return at > done || (at === done && event.revision > BigInt(cursor.revision));
    },
  };
}
