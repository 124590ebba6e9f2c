// `copy --verify`: compares source and target stream by stream, event by event, after the copy.
import { isDeepStrictEqual } from "node:util";
import type { RecordedEvent } from "../../core/event.js";
import type { EventStream } from "../../core/event-stream.js";
import { copiesStream, type CopyPlan, type StreamPlan } from "./plan.js";
import { matches, type Selection } from "./selection.js";

export interface VerifyResult {
  readonly streams: number;
  readonly events: number;
  readonly differences: readonly string[];
}

const MAX_REPORTED = 20;

export async function verifyCopy(
  source: EventStream,
  target: EventStream,
  plan: CopyPlan,
  options: { readonly selection: Selection; readonly renumber: boolean },
): Promise<VerifyResult> {
  const differences: string[] = [];
  let streams = 0;
  let events = 0;
  const report = (difference: string) => {
    differences.push(difference);
  };
  for (const stream of plan.streams.values()) {
    if (stream.state === "tombstoned") {
      if (target.capabilities.tombstone && (await readState(target, stream.stream)) !== "tombstoned") report(`${stream.stream}: tombstoned in the source, not in the target`);
      continue;
    }
    if (stream.state === "deleted") continue;
    if (!copiesStream(stream, options.renumber)) continue;
    streams++;
    events += await compareStream(source, target, stream, options.selection, report);
  }
  return { streams, events, differences };
}

async function compareStream(
  source: EventStream,
  target: EventStream,
  plan: StreamPlan,
  selection: Selection,
  report: (difference: string) => void,
): Promise<number> {
  const theirs = target.read(plan.stream)[Symbol.asyncIterator]();
  let ordinal = 0;
  try {
    for await (const event of source.read(plan.stream, { from: plan.firstRetained })) {
      if (ordinal >= plan.selected) break;
      if (!matches(selection, event)) continue;
      const next = await theirs.next();
      if (next.done === true) {
        report(`${plan.stream}: the target ends after ${ordinal} event(s); the source has ${plan.selected}`);
        return ordinal;
      }
      const difference = differenceOf(event, next.value, BigInt(ordinal));
      if (difference !== undefined) report(`${plan.stream}@${ordinal}: ${difference}`);
      ordinal++;
    }
    const extra = await theirs.next();
    if (extra.done !== true) report(`${plan.stream}: the target has more events than the ${plan.selected} copied (revision ${extra.value.revision} on)`);
  } catch (error) {
    if ((error as { code?: unknown }).code !== "STREAM_NOT_FOUND") throw error;
    report(`${plan.stream}: missing in the target`);
  } finally {
    await theirs.return?.();
  }
  return ordinal;
}

function differenceOf(source: RecordedEvent, target: RecordedEvent, revision: bigint): string | undefined {
  if (target.revision !== revision) return `target revision is ${target.revision}`;
  if (target.id !== source.id) return `id ${target.id} in the target, ${source.id} in the source`;
  if (target.type !== source.type) return `type "${target.type}" in the target, "${source.type}" in the source`;
  if (target.contentType !== source.contentType) return `content type "${target.contentType}" in the target, "${source.contentType}" in the source`;
  if (target.schemaVersion !== source.schemaVersion) return `schema version ${target.schemaVersion} in the target, ${source.schemaVersion} in the source`;
  if (!sameData(source.data, target.data)) return "data differs";
  if (!isDeepStrictEqual({ ...target.metadata }, { ...source.metadata })) return "metadata differs";
  return undefined;
}

function sameData(a: unknown, b: unknown): boolean {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b) === 0;
  return isDeepStrictEqual(a, b);
}

async function readState(store: EventStream, stream: string): Promise<"tombstoned" | "other"> {
  try {
    for await (const _event of store.read(stream, { maxCount: 1 })) break;
    return "other";
  } catch (error) {
    return (error as { code?: unknown }).code === "STREAM_DELETED" ? "tombstoned" : "other";
  }
}

/** The first differences, and how many more there were. */
export function describeDifferences(differences: readonly string[]): string[] {
  const shownLines = differences.slice(0, MAX_REPORTED).map((line) => `  ${line}`);
  if (differences.length > MAX_REPORTED) shownLines.push(`  … and ${differences.length - MAX_REPORTED} more`);
  return shownLines;
}
