// `switchyard tail`: follows a stream, a category or $all live until Ctrl-C, then closes cleanly.
import type { SubscriptionTarget } from "../core/event-stream.js";
import { eventToJsonLine } from "./event-json.js";
import { eventLine } from "./event-table.js";
import { UsageError } from "./errors.js";
import { writeLine } from "./read.js";
import { openStore, shown } from "./store-url.js";

export interface TailCommandOptions {
  readonly category?: string;
  readonly all?: boolean;
  readonly from?: string;
  readonly json?: boolean;
  readonly type?: readonly string[];
  readonly prefix?: readonly string[];
}

export async function tail(url: string, stream: string | undefined, options: TailCommandOptions): Promise<void> {
  const chosen = [stream !== undefined, options.category !== undefined, options.all === true].filter(Boolean).length;
  if (chosen !== 1) throw new UsageError("follow one thing: a stream, --category <name> or --all");
  if (options.all !== true && (options.prefix !== undefined || options.type !== undefined)) {
    throw new UsageError("--prefix and --type filter --all");
  }
  const target = targetOf(stream, options);
  const from = startOf(stream !== undefined, options.from ?? "end");
  const store = await openStore(url);
  const subscription = store.subscribe(target, { from });
  const stop = () => void subscription.close();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  const asLines = options.json !== true && process.stdout.isTTY === true;
  const label = stream ?? (options.category !== undefined ? `category ${options.category}` : "$all");
  subscription.caughtUp.then(
    () => process.stderr.write(`following ${label} at ${shown(url)} (Ctrl-C stops)\n`),
    () => undefined,
  );
  try {
    for await (const event of subscription) await writeLine(asLines ? eventLine(event) : eventToJsonLine(event));
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    await subscription.close();
    await store.close().catch(() => undefined);
  }
}

function targetOf(stream: string | undefined, options: TailCommandOptions): SubscriptionTarget {
  if (stream !== undefined) return { stream };
  if (options.category !== undefined) return { category: options.category };
  const filter = {
    ...(options.prefix === undefined ? {} : { streamPrefixes: options.prefix }),
    ...(options.type === undefined ? {} : { eventTypes: options.type }),
  };
  return Object.keys(filter).length > 0 ? { all: true, filter } : { all: true };
}

/** `--from` is exclusive, as for every subscription: a revision for a stream, a position otherwise. */
function startOf(isStream: boolean, from: string): bigint | string {
  if (from === "start" || from === "end") return from;
  if (isStream) {
    if (!/^\d+$/.test(from)) throw new UsageError(`--from for a stream is a revision, "start" or "end", got "${from}"`);
    return BigInt(from);
  }
  return from;
}
