import { quoteIdent } from "./schema-sql.js";
import { EVENT_COLUMNS } from "./rows.js";

/**
 * The statements of persistent subscriptions. Each runs in a short transaction: nothing is locked
 * while a consumer's handler runs; a delivery is a lease row (consumer, deadline, retry count).
 * $1 is the target key, $2 the group throughout.
 */
export function persistentSql(schema: string) {
  const s = quoteIdent(schema);
  const mine = `target = $1 AND group_name = $2`;
  return {
    create: `INSERT INTO ${s}.groups (target, group_name, stream_prefixes, event_types, cursor_revision, cursor_xid, cursor_position,
               max_retry_count, message_timeout_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING RETURNING 1`,
    update: `UPDATE ${s}.groups SET
               max_retry_count = coalesce($3, max_retry_count),
               message_timeout_ms = coalesce($4, message_timeout_ms),
               cursor_revision = CASE WHEN $5 THEN $6 ELSE cursor_revision END,
               cursor_xid = CASE WHEN $5 THEN $7::xid8 ELSE cursor_xid END,
               cursor_position = CASE WHEN $5 THEN $8 ELSE cursor_position END
             WHERE ${mine} RETURNING 1`,
    delete: `DELETE FROM ${s}.groups WHERE ${mine} RETURNING 1`,
    exists: `SELECT 1 FROM ${s}.groups WHERE ${mine}`,
    /** The group row, locked for filling unless another consumer is filling right now. */
    lockGroup: `SELECT stream_prefixes, event_types, cursor_revision::text, cursor_xid::text, cursor_position::text, max_retry_count
                  FROM ${s}.groups WHERE ${mine} FOR UPDATE SKIP LOCKED`,
    expireLeases: `UPDATE ${s}.group_messages m
                     SET state = CASE WHEN m.retry_count + 1 > g.max_retry_count THEN 'parked' ELSE 'ready' END,
                         retry_count = m.retry_count + 1, consumer = NULL, lease_until = NULL
                    FROM ${s}.groups g
                   WHERE m.target = $1 AND m.group_name = $2 AND g.target = $1 AND g.group_name = $2
                     AND m.state = 'leased' AND m.lease_until < now()`,
    /** New events of a stream target ($3 stream, $4 after revision, $5 limit); ordered by position. */
    fillStream: `WITH picked AS (
                   SELECT position, revision FROM ${s}.events
                    WHERE stream_id = $3 AND revision > $4 ORDER BY revision LIMIT $5
                 ), queued AS (
                   INSERT INTO ${s}.group_messages (target, group_name, position, transaction_id, state)
                   SELECT $1, $2, position, '0', 'ready' FROM picked ON CONFLICT DO NOTHING
                 )
                 UPDATE ${s}.groups SET cursor_revision = (SELECT max(revision) FROM picked)
                  WHERE ${mine} AND EXISTS (SELECT 1 FROM picked) RETURNING 1`,
    /** New events of `$all` below xmin ($3 xid, $4 position, $5 prefixes, $6 types, $7 limit). */
    fillAll: `WITH picked AS (
                SELECT transaction_id, position FROM ${s}.events e
                 WHERE e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
                   AND (e.transaction_id, e.position) > ($3::xid8, $4::bigint)
                   AND ($5::text[] IS NULL OR e.stream_id LIKE ANY ($5::text[]))
                   AND ($6::text[] IS NULL OR e.type = ANY ($6::text[]))
                 ORDER BY e.transaction_id, e.position LIMIT $7
              ), queued AS (
                INSERT INTO ${s}.group_messages (target, group_name, position, transaction_id, state)
                SELECT $1, $2, position, transaction_id, 'ready' FROM picked ON CONFLICT DO NOTHING
              ), last AS (
                SELECT transaction_id, position FROM picked ORDER BY transaction_id DESC, position DESC LIMIT 1
              )
              UPDATE ${s}.groups SET cursor_xid = last.transaction_id, cursor_position = last.position
                FROM last WHERE ${mine} RETURNING 1`,
    readyCount: `SELECT count(*)::int AS n FROM ${s}.group_messages WHERE ${mine} AND state = 'ready'`,
    /** Leases up to $4 ready messages to consumer $3, skipping rows another consumer is claiming. */
    claim: `WITH picked AS (
              SELECT position FROM ${s}.group_messages
               WHERE ${mine} AND state = 'ready'
               ORDER BY transaction_id, position LIMIT $4 FOR UPDATE SKIP LOCKED
            ), leased AS (
              UPDATE ${s}.group_messages m
                 SET state = 'leased', consumer = $3, lease_until = now() + make_interval(secs => g.message_timeout_ms / 1000.0)
                FROM picked, ${s}.groups g
               WHERE m.target = $1 AND m.group_name = $2 AND m.position = picked.position
                 AND g.target = $1 AND g.group_name = $2
              RETURNING m.position, m.retry_count, m.transaction_id
            )
            SELECT l.retry_count, ${EVENT_COLUMNS} FROM leased l JOIN ${s}.events e ON e.position = l.position
             ORDER BY l.transaction_id, l.position`,
    ack: `DELETE FROM ${s}.group_messages WHERE ${mine} AND position = $3 AND consumer = $4 AND state = 'leased' RETURNING 1`,
    retry: `UPDATE ${s}.group_messages m
               SET state = CASE WHEN m.retry_count + 1 > g.max_retry_count THEN 'parked' ELSE 'ready' END,
                   retry_count = m.retry_count + 1, consumer = NULL, lease_until = NULL
              FROM ${s}.groups g
             WHERE m.target = $1 AND m.group_name = $2 AND g.target = $1 AND g.group_name = $2
               AND m.position = $3 AND m.consumer = $4 AND m.state = 'leased' RETURNING 1`,
    park: `UPDATE ${s}.group_messages SET state = 'parked', consumer = NULL, lease_until = NULL
            WHERE ${mine} AND position = $3 AND consumer = $4 AND state = 'leased' RETURNING 1`,
    /** A consumer that leaves hands its leases back at once instead of at their deadlines. */
    release: `UPDATE ${s}.group_messages SET state = 'ready', consumer = NULL, lease_until = NULL
               WHERE ${mine} AND consumer = $3 AND state = 'leased'`,
  };
}

export type PersistentStatements = ReturnType<typeof persistentSql>;
