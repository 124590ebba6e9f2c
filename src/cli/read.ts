// `switchyard read <stream>` / `read --all`: a table on a terminal, JSON Lines otherwise.
import type { RecordedEvent } from "../core/event.js";
import type { EventStream } from "../core/event-stream.js";
import { eventToJsonLine } from "./event-json.js";
import { eventTable } from "./event-table.js";
import { UsageError } from "./errors.js";
import { withStore } from "./store-url.js";

export interface ReadCommandOptions {
  readonly all?: boolean;
  readonly json?: boolean;
  readonly from?: string;
  readonly backwards?: boolean;
  readonly max?: number;
  readonly type?: readonly string[];
  readonly prefix?: readonly string[];
}

/** A table needs every row before it is drawn, so a terminal read without --max stops here. */
const TABLE_DEFAULT_MAX = 1_000;

export async function read(url: string, stream: string | undefined, options: ReadCommandOptions): Promise<void> {
  if ((stream === undefined) === (options.all !== true)) throw new UsageError("name one stream, or pass --all for every stream");
  if (stream !== undefined && options.prefix !== undefined) throw new UsageError("--prefix filters --all; a single stream has no prefix to filter");
  const asTable = options.json !== true && process.stdout.isTTY === true;
  const max = options.max ?? (asTable ? TABLE_DEFAULT_MAX : undefined);
  await withStore(url, async (store) => {
    const events = stream === undefined ? readAll(store, options, max) : readStream(store, stream, options, max);
    if (!asTable) {
      for await (const event of events) await writeLine(eventToJsonLine(event));
      return;
    }
    const rows: RecordedEvent[] = [];
    for await (const event of events) rows.push(event);
    if (rows.length === 0) console.log("(no events)");
    else console.log(eventTable(rows, stream === undefined));
    if (options.max === undefined && rows.length === TABLE_DEFAULT_MAX) {
      console.log(`(first ${TABLE_DEFAULT_MAX} events: pass --max for more, or --json for all of them)`);
    }
  });
}

async function* readStream(store: EventStream, stream: string, options: ReadCommandOptions, max: number | undefined): AsyncGenerator<RecordedEvent> {
  const from = options.from === undefined ? undefined : revisionOrEnd(options.from);
  const types = options.type === undefined ? undefined : new Set(options.type);
  let count = 0;
  const source = store.read(stream, { direction: options.backwards === true ? "backwards" : "forwards", ...(from === undefined ? {} : { from }) });
  for await (const event of source) {
    if (types !== undefined && !types.has(event.type)) continue;
    yield event;
    if (max !== undefined && ++count >= max) return;
  }
}

function readAll(store: EventStream, options: ReadCommandOptions, max: number | undefined): AsyncIterable<RecordedEvent> {
  const filter = {
    ...(options.prefix === undefined ? {} : { streamPrefixes: options.prefix }),
    ...(options.type === undefined ? {} : { eventTypes: options.type }),
  };
  return store.readAll({
    direction: options.backwards === true ? "backwards" : "forwards",
    ...(options.from === undefined ? {} : { from: options.from }),
    ...(max === undefined ? {} : { maxCount: max }),
    ...(Object.keys(filter).length > 0 ? { filter } : {}),
  });
}

function revisionOrEnd(value: string): bigint | "start" | "end" {
  if (value === "start" || value === "end") return value;
  if (!/^\d+$/.test(value)) throw new UsageError(`--from for a stream is a revision (a non-negative integer), "start" or "end", got "${value}"`);
  return BigInt(value);
}

/** Writes with back-pressure, so piping a large store into `head` or a slow consumer stays bounded. */
export function writeLine(line: string): Promise<void> | void {
  if (process.stdout.write(`${line}\n`)) return;
  return new Promise((done) => process.stdout.once("drain", done));
}
