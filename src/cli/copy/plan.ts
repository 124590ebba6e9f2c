// The first pass of a copy: reads the source once, decides for every stream whether and how it is
// copied, and counts the work, so the copy knows its total and a resumed copy its revisions.
import type { RecordedEvent } from "../../core/event.js";
import type { EventStream, StreamMetadata } from "../../core/event-stream.js";
import { isSystem, matches, type Selection } from "./selection.js";
import type { Cursor, SourceOrder } from "./source-order.js";

/**
 * copy: selected events are revisions 0, 1, 2, … as in the source.
 * not-from-zero: the retained events start later (truncated, max count, max age, deleted and recreated).
 * gaps: the type filter leaves holes in the revisions.
 * deleted: nothing retained (soft-deleted). tombstoned: hard-deleted.
 */
export type StreamState = "copy" | "not-from-zero" | "gaps" | "deleted" | "tombstoned";

export interface StreamPlan {
  readonly stream: string;
  state: StreamState;
  /** The first revision `read()` returns; earlier events in $all are hidden by retention or deletion. */
  readonly firstRetained: bigint;
  readonly metadata: StreamMetadata | undefined;
  /** Selected events (retained, matching the filters). */
  selected: number;
  /** Of those, how many lie at or before the checkpoint: the resumed copy numbers on from there. */
  selectedBeforeCursor: number;
  lastSelectedRevision: bigint | undefined;
}

export interface CopyPlan {
  readonly streams: Map<string, StreamPlan>;
  /** `$` streams, and `$` event types in user streams, with how many events each had. */
  readonly system: Map<string, number>;
  /** The last event the copy will take: events appended after the plan wait for the next run. */
  lastCursor: Cursor | undefined;
  /** Events hidden by retention or deletion: in $all, but not readable from their stream. */
  hidden: number;
}

export function copiesStream(plan: StreamPlan, renumber: boolean): boolean {
  return plan.state === "copy" || (renumber && (plan.state === "not-from-zero" || plan.state === "gaps"));
}

/** Selected events still to copy after the cursor. */
export function eventsToCopy(plan: CopyPlan, renumber: boolean): number {
  let total = 0;
  for (const stream of plan.streams.values()) if (copiesStream(stream, renumber)) total += stream.selected - stream.selectedBeforeCursor;
  return total;
}

/** What planning needs of the source. */
export type PlanSource = Pick<EventStream, "capabilities" | "read" | "readAll" | "getStreamMetadata">;

export async function planCopy(source: PlanSource, order: SourceOrder, selection: Selection, cursor: Cursor | undefined): Promise<CopyPlan> {
  const plan: CopyPlan = { streams: new Map(), system: new Map(), lastCursor: undefined, hidden: 0 };
  for (const stream of order.namedStreams ?? []) plan.streams.set(stream, await probeStream(source, stream));
  for await (const event of order.events(undefined)) {
    plan.lastCursor = order.cursorOf(event);
    if (isSystem(event)) {
      const key = event.streamId.startsWith("$") ? event.streamId : `${event.type} events`;
      plan.system.set(key, (plan.system.get(key) ?? 0) + 1);
      continue;
    }
    if (!matches(selection, event)) continue;
    let stream = plan.streams.get(event.streamId);
    if (stream === undefined) {
      stream = await probeStream(source, event.streamId);
      plan.streams.set(event.streamId, stream);
    }
    select(plan, stream, event, cursor !== undefined && !order.isAfter(event, cursor));
  }
  return plan;
}

function select(plan: CopyPlan, stream: StreamPlan, event: RecordedEvent, beforeCursor: boolean): void {
  if (stream.state === "deleted" || stream.state === "tombstoned" || event.revision < stream.firstRetained) {
    plan.hidden++;
    return;
  }
  const expected = stream.lastSelectedRevision === undefined ? 0n : stream.lastSelectedRevision + 1n;
  if (stream.state === "copy" && event.revision !== expected) stream.state = stream.lastSelectedRevision === undefined && stream.firstRetained > 0n ? "not-from-zero" : "gaps";
  stream.lastSelectedRevision = event.revision;
  stream.selected++;
  if (beforeCursor) stream.selectedBeforeCursor++;
}

/** One short read tells where a stream's retained events start, or that it is deleted or tombstoned. */
async function probeStream(source: PlanSource, stream: string): Promise<StreamPlan> {
  const base = { stream, selected: 0, selectedBeforeCursor: 0, lastSelectedRevision: undefined };
  let first: bigint | undefined;
  try {
    for await (const event of source.read(stream, { maxCount: 1 })) first = event.revision;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "STREAM_DELETED") return { ...base, state: "tombstoned", firstRetained: 0n, metadata: undefined };
    if (code !== "STREAM_NOT_FOUND") throw error;
  }
  if (first === undefined) return { ...base, state: "deleted", firstRetained: 0n, metadata: undefined };
  const metadata = source.capabilities.streamMetadata ? await source.getStreamMetadata(stream) : undefined;
  return {
    ...base,
    state: "copy",
    firstRetained: first,
    metadata: metadata !== undefined && Object.keys(metadata).length > 0 ? metadata : undefined,
  };
}
