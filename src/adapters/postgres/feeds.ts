import type { CodecRegistry } from "../../core/codec.js";
import { StreamDeletedError } from "../../core/errors.js";
import type { Feed, FeedMessage, FeedStart } from "../../core/subscription.js";
import type { ResolvedTarget } from "../../core/subscription-target.js";
import type { Connection } from "./connection.js";
import type { Listener } from "./listener.js";
import { cursorOf, FIRST, type Cursor } from "./positions.js";
import { cursorOfRow, readGlobalPage, type GlobalFilter } from "./read-all.js";
import { PAGE_SIZE, readStreamPage } from "./read-stream.js";
import { toRecordedEvent, type EventRow } from "./rows.js";
import { quoteIdent } from "./schema-sql.js";

const MAX_REVISION = 9_223_372_036_854_775_807n;

export interface FeedContext {
  readonly connection: Connection;
  readonly schema: string;
  readonly codecs: CodecRegistry;
  readonly listener: Listener;
  readonly pollIntervalMs: number;
  epoch(): Promise<bigint>;
}

/** A page source: the rows after the feed's own cursor, advancing it. */
type Pager = () => Promise<{ rows: EventRow[]; full: boolean }>;

/**
 * History after the start, `caughtUp` at the first short page, then live pages; between pages the
 * feed sleeps until a notification, this process's own append, or the poll interval. A failing
 * query ends it with the ConnectionError core reconnects on.
 */
function follow(ctx: FeedContext, open: (start: FeedStart, epoch: bigint) => Promise<Pager>): Feed {
  return async function* (start: FeedStart, signal: AbortSignal): AsyncGenerator<FeedMessage> {
    const epoch = await ctx.epoch();
    const next = await open(start, epoch);
    let caughtUp = false;
    while (!signal.aborted) {
      const seen = ctx.listener.generation;
      const { rows, full } = await next();
      for (const row of rows) {
        if (signal.aborted) return;
        yield { kind: "event", event: toRecordedEvent(row, epoch, ctx.codecs) };
      }
      if (full) continue;
      if (!caughtUp) {
        caughtUp = true;
        yield { kind: "caughtUp" };
      }
      await ctx.listener.waitAfter(seen, ctx.pollIntervalMs, signal);
    }
  };
}

export function postgresFeed(ctx: FeedContext, target: ResolvedTarget): Feed {
  if (target.kind === "stream") return streamFeed(ctx, target.stream);
  const filter: GlobalFilter | undefined = target.kind === "category" ? { streamPrefixes: [target.prefix] } : target.filter;
  return globalFeed(ctx, filter);
}

/** One stream, by revision: the stream row's lock makes revision order commit order. */
function streamFeed(ctx: FeedContext, stream: string): Feed {
  return follow(ctx, async (start) => {
    let after = typeof start === "bigint" ? start : start === "start" ? -1n : await lastRevision(ctx, stream);
    return async () => {
      const page = await readStreamPage(ctx.connection, ctx.schema, stream, "forwards", after + 1n, MAX_REVISION, PAGE_SIZE);
      if (page.tombstoned) throw new StreamDeletedError(stream);
      const last = page.rows[page.rows.length - 1];
      if (last) after = BigInt(last.revision);
      // Hidden revisions (soft delete, truncation) are skipped, not waited for.
      else if (page.lastRevision > after) after = page.lastRevision;
      return { rows: page.rows, full: page.rows.length === PAGE_SIZE };
    };
  });
}

/** A category or `$all`, in the global order below xmin. */
function globalFeed(ctx: FeedContext, filter: GlobalFilter | undefined): Feed {
  return follow(ctx, async (start, epoch) => {
    let cursor: Cursor = typeof start === "object" ? cursorOf(start, epoch) : start === "end" ? await endCursor(ctx) : FIRST;
    return async () => {
      const rows = await readGlobalPage(ctx.connection, ctx.schema, cursor, true, filter, PAGE_SIZE);
      const last = rows[rows.length - 1];
      if (last) cursor = cursorOfRow(last);
      return { rows, full: rows.length === PAGE_SIZE };
    };
  });
}

async function lastRevision(ctx: FeedContext, stream: string): Promise<bigint> {
  const [row] = await ctx.connection.query<{ revision: string }>(
    `SELECT revision::text FROM ${quoteIdent(ctx.schema)}.streams WHERE stream_id = $1`,
    [stream],
    { operation: `subscribe to "${stream}"`, stream },
  );
  return row ? BigInt(row.revision) : -1n;
}

/**
 * "end": everything of transactions below xmin is history; a transaction still open may commit
 * events that are delivered as new (never skipped).
 */
async function endCursor(ctx: FeedContext): Promise<Cursor> {
  const [row] = await ctx.connection.query<{ xmin: string }>(
    "SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin",
    [],
    { operation: "subscribe to $all" },
  );
  return { xid: BigInt(row!.xmin), position: 0n };
}
