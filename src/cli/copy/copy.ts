// `switchyard copy <from> <to>`: plans the copy in one read of the source, then writes every
// selected event at its revision with an expected revision, batching consecutive events of one
// stream, keeping a checkpoint; then reports what was left out and why, and verifies on request.
import type { EventData, RecordedEvent } from "../../core/event.js";
import type { EventStream, StreamMetadata } from "../../core/event-stream.js";
import { EXIT_INTERRUPTED, ReportedFailure, UsageError } from "../errors.js";
import { openStore, shown } from "../store-url.js";
import { appendAt } from "./checked-append.js";
import { CheckpointFile, type CopyIdentity } from "./checkpoint.js";
import { copiesStream, eventsToCopy, planCopy, type CopyPlan, type StreamPlan } from "./plan.js";
import { startProgress, type Progress } from "./progress.js";
import { reportOf, printReport, type CopyCounters } from "./report.js";
import { isSystem, matches, type Selection } from "./selection.js";
import { globalOrder, streamByStream, type Cursor, type SourceOrder } from "./source-order.js";
import { describeDifferences, verifyCopy } from "./verify.js";

export interface CopyCommandOptions {
  readonly prefix?: readonly string[];
  readonly type?: readonly string[];
  readonly stream?: readonly string[];
  readonly renumber?: boolean;
  readonly dryRun?: boolean;
  readonly verify?: boolean;
  /** A path, or false for `--no-checkpoint`. */
  readonly checkpoint: string | false;
  readonly batch: number;
  readonly progressInterval: number;
  readonly json?: boolean;
}

export async function copy(fromUrl: string, toUrl: string, options: CopyCommandOptions): Promise<void> {
  const source = await openStore(fromUrl);
  let target: EventStream | undefined;
  try {
    target = await openStore(toUrl);
    await run(source, target, fromUrl, toUrl, options);
  } finally {
    await Promise.all([source.close().catch(() => undefined), target?.close().catch(() => undefined)]);
  }
}

async function reach(store: EventStream, url: string): Promise<void> {
  await store.ping({ timeoutMs: 10_000 }).catch((error: unknown) => {
    throw new ReportedFailure(`cannot reach ${shown(url)}: ${(error as Error).message}`);
  });
}

async function run(source: EventStream, target: EventStream, fromUrl: string, toUrl: string, options: CopyCommandOptions): Promise<void> {
  const selection: Selection = {
    ...(options.prefix === undefined ? {} : { prefixes: options.prefix }),
    ...(options.type === undefined ? {} : { types: options.type }),
  };
  const renumber = options.renumber === true;
  if (!target.capabilities.expectedRevision) {
    throw new UsageError(
      `copy checks every write with an expected revision, which the target (${target.capabilities.backend}) cannot enforce as configured` +
        (target.capabilities.backend === "ensign" ? ": add consistency=single-writer to its URL (sound while this copy is its only writer)" : ""),
    );
  }
  const order = sourceOrder(source, options);
  // What the command line asks is checked above without the network; now both stores must answer.
  await Promise.all([reach(source, fromUrl), reach(target, toUrl)]);
  const identity: CopyIdentity = {
    from: shown(fromUrl),
    to: shown(toUrl),
    prefixes: options.prefix ? [...options.prefix] : null,
    types: options.type ? [...options.type] : null,
    streams: options.stream ? [...options.stream] : null,
    renumber,
  };
  const checkpoint = options.checkpoint === false || options.dryRun === true ? undefined : CheckpointFile.open(options.checkpoint, identity);
  const cursor = checkpoint?.cursor;
  if (cursor !== undefined) {
    process.stderr.write(`resuming from ${checkpoint!.path}: ${checkpoint!.copiedEvents} event(s) copied before, up to ${describeCursor(cursor)}\n`);
  }
  const plan = await planCopy(source, order, selection, cursor);
  const total = eventsToCopy(plan, renumber);
  const counters: CopyCounters = { copied: 0, alreadyThere: 0, tombstonesCarried: [], tombstonesNotCarried: [], metadataCarried: 0, metadataNotCarried: [], seconds: 0 };
  if (options.dryRun !== true) {
    const started = performance.now();
    const progress = startProgress(total, { interactive: process.stderr.isTTY === true && options.json !== true, intervalMs: options.progressInterval * 1000 });
    // Ctrl-C finishes the append in flight, saves the checkpoint and leaves the terminal as it was.
    const interrupt = new AbortController();
    const onSignal = () => interrupt.abort();
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    try {
      await copyEvents({ source, target, order, plan, selection, renumber, cursor, checkpoint, progress, counters, batch: options.batch, interrupted: interrupt.signal });
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      progress.stop();
      checkpoint?.save();
    }
    counters.seconds = (performance.now() - started) / 1000;
    if (interrupt.signal.aborted) {
      const resume = checkpoint === undefined ? "" : `: the same command resumes from ${checkpoint.path}`;
      process.stderr.write(`interrupted after ${counters.copied} event(s)${resume}\n`);
      process.exit(EXIT_INTERRUPTED);
    }
  }
  const report = reportOf({ from: shown(fromUrl), to: shown(toUrl), order: order.kind, plan, renumber, total, dryRun: options.dryRun === true, counters });
  let differences: readonly string[] = [];
  if (options.verify === true && options.dryRun !== true) {
    const result = await verifyCopy(source, target, plan, { selection, renumber });
    report.verify = { streams: result.streams, events: result.events, differences: result.differences.length };
    differences = result.differences;
  }
  printReport(report, options.json === true);
  if (differences.length > 0) {
    for (const line of describeDifferences(differences)) process.stderr.write(`${line}\n`);
    throw new ReportedFailure(`verify found ${differences.length} difference(s) between ${shown(fromUrl)} and ${shown(toUrl)}`);
  }
}

function sourceOrder(source: EventStream, options: CopyCommandOptions): SourceOrder {
  if (options.stream !== undefined) return streamByStream(source, options.stream);
  if (!source.capabilities.globalOrder) {
    throw new UsageError(
      `the source (${source.capabilities.backend}) has no global order to list its streams by: name the streams to copy with --stream (repeatable)`,
    );
  }
  return globalOrder(source, {
    ...(options.prefix === undefined ? {} : { prefixes: options.prefix }),
    ...(options.type === undefined ? {} : { types: options.type }),
  });
}

function describeCursor(cursor: Cursor): string {
  return cursor.kind === "global" ? `position ${cursor.position}` : `${cursor.stream}@${cursor.revision}`;
}

interface CopyRun {
  readonly source: EventStream;
  readonly target: EventStream;
  readonly order: SourceOrder;
  readonly plan: CopyPlan;
  readonly selection: Selection;
  readonly renumber: boolean;
  readonly cursor: Cursor | undefined;
  readonly checkpoint: CheckpointFile | undefined;
  readonly progress: Progress;
  readonly counters: CopyCounters;
  readonly batch: number;
  readonly interrupted: AbortSignal;
}

/** Events of one stream waiting to be written together, at consecutive target revisions. */
interface Pending {
  readonly stream: StreamPlan;
  readonly firstRevision: bigint;
  readonly events: EventData[];
  bytes: number;
  last: RecordedEvent;
}

async function copyEvents(run: CopyRun): Promise<void> {
  const { order, plan, target } = run;
  if (plan.lastCursor === undefined) return;
  const next = new Map<string, number>();
  const metadataDone = new Set<string>();
  const tombstonesDone = new Set<string>();
  const byteLimit = target.capabilities.maxAppendBytesPer === "batch" && target.capabilities.maxAppendBytes !== undefined ? target.capabilities.maxAppendBytes / 2 : Infinity;
  let pending: Pending | undefined;
  let lastSeen: Cursor | undefined;

  const flush = async () => {
    if (pending === undefined) return;
    const { stream, events, firstRevision, last } = pending;
    pending = undefined;
    const result = await appendAt(target, stream.stream, events, firstRevision);
    run.counters.copied += result.written;
    run.counters.alreadyThere += result.alreadyThere;
    if (!metadataDone.has(stream.stream)) {
      metadataDone.add(stream.stream);
      await carryMetadata(run, stream);
    }
    run.progress.add(events.length);
    run.checkpoint?.advance(order.cursorOf(last), events.length);
  };

  for await (const event of order.events(run.cursor)) {
    if (run.interrupted.aborted) break;
    if (run.cursor !== undefined && !order.isAfter(event, run.cursor)) continue;
    if (order.isAfter(event, plan.lastCursor)) break;
    lastSeen = order.cursorOf(event);
    if (isSystem(event) || !matches(run.selection, event)) continue;
    const stream = plan.streams.get(event.streamId);
    if (stream === undefined) continue;
    if (stream.state === "tombstoned") {
      if (!tombstonesDone.has(stream.stream)) {
        tombstonesDone.add(stream.stream);
        await carryTombstone(run, stream.stream);
      }
      continue;
    }
    if (!copiesStream(stream, run.renumber) || event.revision < stream.firstRetained) continue;
    const ordinal = next.get(stream.stream) ?? stream.selectedBeforeCursor;
    next.set(stream.stream, ordinal + 1);
    const data = toEventData(event);
    const size = approximateSize(event);
    if (pending !== undefined && (pending.stream !== stream || pending.events.length >= run.batch || pending.bytes + size > byteLimit)) await flush();
    if (pending === undefined) pending = { stream, firstRevision: BigInt(ordinal), events: [], bytes: 0, last: event };
    pending.events.push(data);
    pending.bytes += size;
    pending.last = event;
  }
  await flush();
  if (run.interrupted.aborted) return;
  // Tombstoned streams named for a stream-by-stream copy have no events to meet on the way.
  for (const stream of plan.streams.values()) {
    if (stream.state === "tombstoned" && !tombstonesDone.has(stream.stream) && order.kind === "streams") await carryTombstone(run, stream.stream);
  }
  run.checkpoint?.advance(lastSeen ?? plan.lastCursor, 0, { force: true, complete: true });
}

function toEventData(event: RecordedEvent): EventData {
  return {
    id: event.id,
    type: event.type,
    data: event.data,
    metadata: event.metadata,
    contentType: event.contentType,
    schemaVersion: event.schemaVersion,
  };
}

function approximateSize(event: RecordedEvent): number {
  const data = event.data instanceof Uint8Array ? event.data.byteLength : (JSON.stringify(event.data)?.length ?? 0);
  return data + (JSON.stringify(event.metadata)?.length ?? 0) + 256;
}

async function carryMetadata(run: CopyRun, stream: StreamPlan): Promise<void> {
  if (stream.metadata === undefined) return;
  const renumbered = stream.state !== "copy";
  const metadata: StreamMetadata = { ...stream.metadata };
  // Renumbered events start at 0: the source's truncation point means nothing there.
  if (renumbered) delete metadata.truncateBefore;
  if (Object.keys(metadata).length === 0) return;
  if (!run.target.capabilities.streamMetadata) {
    run.counters.metadataNotCarried.push(stream.stream);
    return;
  }
  await run.target.setStreamMetadata(stream.stream, metadata);
  run.counters.metadataCarried++;
}

async function carryTombstone(run: CopyRun, stream: string): Promise<void> {
  if (!run.target.capabilities.tombstone) {
    run.counters.tombstonesNotCarried.push(stream);
    return;
  }
  try {
    await run.target.tombstone(stream);
  } catch (error) {
    // Tombstoned by an earlier, interrupted run of this copy.
    if ((error as { code?: unknown }).code !== "STREAM_DELETED") throw error;
  }
  run.counters.tombstonesCarried.push(stream);
}
