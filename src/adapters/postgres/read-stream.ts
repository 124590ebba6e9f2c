import type { CodecRegistry } from "../../core/codec.js";
import type { ReadRequest } from "../../core/driver.js";
import { StreamDeletedError, StreamNotFoundError } from "../../core/errors.js";
import type { RecordedEvent } from "../../core/event.js";
import type { Connection } from "./connection.js";
import { EVENT_COLUMNS, toRecordedEvent, type EventRow } from "./rows.js";
import { quoteIdent } from "./schema-sql.js";

export const PAGE_SIZE = 500;
const MAX_REVISION = 9_223_372_036_854_775_807n;

type PageRow = Partial<EventRow> & { last_revision: string; tombstoned: boolean; soft_deleted: boolean };

/**
 * One page of a stream between two inclusive revisions, with the stream's state, in one round
 * trip. Soft delete, truncation, max count and max age hide events here; no row means no stream.
 */
function pageSql(schema: string, direction: "ASC" | "DESC"): string {
  const s = quoteIdent(schema);
  return `
WITH st AS (
  SELECT revision, tombstoned, soft_deleted, max_age_seconds,
         GREATEST(deleted_before, coalesce(truncate_before, 0),
                  CASE WHEN max_count IS NULL THEN 0 ELSE revision + 1 - max_count END) AS first_visible
    FROM ${s}.streams WHERE stream_id = $1
)
SELECT st.revision::text AS last_revision, st.tombstoned, st.soft_deleted, ${EVENT_COLUMNS.replace(/\be\./g, "x.")}
  FROM st LEFT JOIN LATERAL (
    SELECT e.* FROM ${s}.events e
     WHERE e.stream_id = $1 AND e.revision >= GREATEST(st.first_visible, $2) AND e.revision <= LEAST(st.revision, $3)
       AND (st.max_age_seconds IS NULL OR e.created_at >= now() - make_interval(secs => st.max_age_seconds))
     ORDER BY e.revision ${direction} LIMIT $4
  ) x ON NOT st.tombstoned
 ORDER BY x.revision ${direction}`;
}

export interface StreamPage {
  readonly exists: boolean;
  readonly tombstoned: boolean;
  readonly lastRevision: bigint;
  readonly rows: EventRow[];
}

export async function readStreamPage(
  connection: Connection,
  schema: string,
  stream: string,
  direction: "forwards" | "backwards",
  lo: bigint,
  hi: bigint,
  limit: number,
): Promise<StreamPage> {
  const sql = pageSql(schema, direction === "forwards" ? "ASC" : "DESC");
  const rows = await connection.query<PageRow>(
    { text: sql, name: `switchyard_read_${direction}_${schema}` },
    [stream, lo.toString(), hi.toString(), limit],
    { operation: `read "${stream}"`, stream },
  );
  const first = rows[0];
  if (!first) return { exists: false, tombstoned: false, lastRevision: -1n, rows: [] };
  const lastRevision = BigInt(first.last_revision);
  return {
    exists: !first.soft_deleted && lastRevision >= 0n,
    tombstoned: first.tombstoned,
    lastRevision,
    rows: rows.filter((r): r is PageRow & EventRow => r.position !== null && r.position !== undefined),
  };
}

/** A stream's events in pages, bounded by the stream's end when the read began. */
export async function* readStream(
  connection: Connection,
  schema: string,
  epoch: bigint,
  codecs: CodecRegistry,
  { stream, direction, from, maxCount, signal }: ReadRequest,
): AsyncGenerator<RecordedEvent> {
  const forwards = direction === "forwards";
  let lo = forwards ? (from === "start" ? 0n : from === "end" ? MAX_REVISION : from) : 0n;
  let hi = forwards ? MAX_REVISION : typeof from === "bigint" ? from : MAX_REVISION;
  let remaining = maxCount;
  for (let firstPage = true; ; firstPage = false) {
    const limit = remaining === undefined || remaining > BigInt(PAGE_SIZE) ? PAGE_SIZE : Number(remaining);
    const page = await readStreamPage(connection, schema, stream, direction, lo, hi, limit);
    if (firstPage) {
      if (page.tombstoned) throw new StreamDeletedError(stream);
      if (!page.exists) throw new StreamNotFoundError(stream);
      // A read started before an append does not chase the events appended after it.
      if (forwards) hi = page.lastRevision;
    }
    for (const row of page.rows) {
      signal?.throwIfAborted();
      yield toRecordedEvent(row, epoch, codecs);
    }
    if (remaining !== undefined) remaining -= BigInt(page.rows.length);
    if (page.rows.length < limit || remaining === 0n) return;
    const last = BigInt(page.rows[page.rows.length - 1]!.revision);
    if (forwards) lo = last + 1n;
    else hi = last - 1n;
  }
}
