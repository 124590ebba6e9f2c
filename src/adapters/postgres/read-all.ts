import type { CodecRegistry } from "../../core/codec.js";
import type { ReadAllRequest } from "../../core/driver.js";
import type { RecordedEvent } from "../../core/event.js";
import type { Connection } from "./connection.js";
import { cursorOf, FIRST, justAfter, justBefore, LAST, type Cursor } from "./positions.js";
import { PAGE_SIZE } from "./read-stream.js";
import { EVENT_COLUMNS, toRecordedEvent, type EventRow } from "./rows.js";
import { quoteIdent } from "./schema-sql.js";

/**
 * The global order: rows of transactions below the snapshot's xmin, by (transaction id, sequence).
 * Every transaction below xmin has ended, so no row can later appear behind a reader's cursor; a
 * transaction still open holds readers back (never makes them skip).
 */
function pageSql(schema: string, forwards: boolean): string {
  return `
SELECT ${EVENT_COLUMNS} FROM ${quoteIdent(schema)}.events e
 WHERE e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
   AND (e.transaction_id, e.position) ${forwards ? ">" : "<"} ($1::xid8, $2::bigint)
   AND ($3::text[] IS NULL OR e.stream_id LIKE ANY ($3::text[]))
   AND ($4::text[] IS NULL OR e.type = ANY ($4::text[]))
 ORDER BY e.transaction_id ${forwards ? "ASC" : "DESC"}, e.position ${forwards ? "ASC" : "DESC"}
 LIMIT $5`;
}

/** Escapes LIKE's wildcards so a stream prefix matches literally. */
export function likePrefix(prefix: string): string {
  return prefix.replace(/[\\%_]/g, (c) => `\\${c}`) + "%";
}

export interface GlobalFilter {
  readonly streamPrefixes?: readonly string[] | undefined;
  readonly eventTypes?: readonly string[] | undefined;
}

/** Up to `limit` rows strictly after (forwards) or before (backwards) `cursor`. */
export async function readGlobalPage(
  connection: Connection,
  schema: string,
  cursor: Cursor,
  forwards: boolean,
  filter: GlobalFilter | undefined,
  limit: number,
): Promise<EventRow[]> {
  return connection.query<EventRow>(
    { text: pageSql(schema, forwards), name: `switchyard_all_${forwards ? "f" : "b"}_${schema}` },
    [
      cursor.xid.toString(),
      cursor.position.toString(),
      filter?.streamPrefixes ? filter.streamPrefixes.map(likePrefix) : null,
      filter?.eventTypes ?? null,
      limit,
    ],
    { operation: "read $all" },
  );
}

export function cursorOfRow(row: EventRow): Cursor {
  return { xid: BigInt(row.xid), position: BigInt(row.position) };
}

export async function* readAll(
  connection: Connection,
  schema: string,
  epoch: bigint,
  codecs: CodecRegistry,
  { direction, from, maxCount, filter, signal }: ReadAllRequest,
): AsyncGenerator<RecordedEvent> {
  const forwards = direction === "forwards";
  if (forwards && from === "end") return;
  // Inclusive start, as a strict bound: just before it forwards, just after it backwards.
  let cursor =
    typeof from !== "string" ? (forwards ? justBefore : justAfter)(cursorOf(from, epoch))
    : forwards ? FIRST
    : LAST;
  let remaining = maxCount;
  for (;;) {
    const limit = remaining === undefined || remaining > BigInt(PAGE_SIZE) ? PAGE_SIZE : Number(remaining);
    const rows = await readGlobalPage(connection, schema, cursor, forwards, filter, limit);
    for (const row of rows) {
      signal?.throwIfAborted();
      yield toRecordedEvent(row, epoch, codecs);
    }
    if (remaining !== undefined) remaining -= BigInt(rows.length);
    if (rows.length < limit || remaining === 0n) return;
    cursor = cursorOfRow(rows[rows.length - 1]!);
  }
}
