/**
 * The DDL of one store, in the schema it names. Every statement is idempotent; `migrate()` runs
 * them under an advisory lock, so two processes creating the same store both succeed.
 */
export const SCHEMA_VERSION = 1;

/** Double-quoted identifier; schema names are checked by the config schema as well. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** NOTIFY channel of a store: one per schema, so stores sharing a database do not wake each other. */
export function channelOf(schema: string): string {
  return `switchyard_${schema}`;
}

export function schemaDdl(schema: string): string {
  const s = quoteIdent(schema);
  const channel = channelOf(schema).replace(/'/g, "''");
  return `
CREATE SCHEMA IF NOT EXISTS ${s};

CREATE TABLE IF NOT EXISTS ${s}.store (
  id int PRIMARY KEY CHECK (id = 1),
  epoch bigint NOT NULL,
  version int NOT NULL
);

CREATE TABLE IF NOT EXISTS ${s}.streams (
  stream_id text PRIMARY KEY,
  revision bigint NOT NULL DEFAULT -1,
  deleted_before bigint NOT NULL DEFAULT 0,
  soft_deleted boolean NOT NULL DEFAULT false,
  tombstoned boolean NOT NULL DEFAULT false,
  max_count bigint,
  max_age_seconds bigint,
  truncate_before bigint
);

CREATE TABLE IF NOT EXISTS ${s}.events (
  position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
  stream_id text NOT NULL,
  revision bigint NOT NULL,
  event_id uuid NOT NULL,
  type text NOT NULL,
  content_type text NOT NULL,
  schema_version int NOT NULL,
  data bytea NOT NULL,
  metadata json NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (stream_id, revision)
);
CREATE INDEX IF NOT EXISTS events_global_order ON ${s}.events (transaction_id, position);
CREATE INDEX IF NOT EXISTS events_event_id ON ${s}.events (event_id);

CREATE TABLE IF NOT EXISTS ${s}.groups (
  target text NOT NULL,
  group_name text NOT NULL,
  stream_prefixes text[],
  event_types text[],
  cursor_revision bigint,
  cursor_xid xid8,
  cursor_position bigint,
  max_retry_count int NOT NULL,
  message_timeout_ms int NOT NULL,
  PRIMARY KEY (target, group_name)
);

CREATE TABLE IF NOT EXISTS ${s}.group_messages (
  target text NOT NULL,
  group_name text NOT NULL,
  position bigint NOT NULL,
  transaction_id xid8 NOT NULL,
  state text NOT NULL CHECK (state IN ('ready', 'leased', 'parked')),
  retry_count int NOT NULL DEFAULT 0,
  consumer uuid,
  lease_until timestamptz,
  PRIMARY KEY (target, group_name, position),
  FOREIGN KEY (target, group_name) REFERENCES ${s}.groups ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS group_messages_ready ON ${s}.group_messages (target, group_name, state, transaction_id, position);

CREATE OR REPLACE FUNCTION ${s}.append(
  p_stream text, p_kind text, p_rev bigint, p_first_id_given boolean, p_ids uuid[], p_types text[],
  p_content_types text[], p_versions int[], p_data bytea[], p_metadata text[]
) RETURNS TABLE (last_revision bigint, last_xid text, last_position bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
  st ${s}.streams%ROWTYPE;
  n int := cardinality(p_ids);
  cur bigint;
  first_rev bigint;
BEGIN
  INSERT INTO ${s}.streams (stream_id) VALUES (p_stream) ON CONFLICT (stream_id) DO NOTHING;
  SELECT * INTO st FROM ${s}.streams WHERE stream_id = p_stream FOR UPDATE;
  IF st.tombstoned THEN
    RAISE EXCEPTION 'stream is tombstoned' USING ERRCODE = 'SY002';
  END IF;
  cur := CASE WHEN st.soft_deleted OR st.revision < 0 THEN NULL ELSE st.revision END;
  -- A retried batch whose ids are stored, in order, right after the expected revision succeeds without writing.
  IF p_first_id_given THEN
    SELECT e.revision INTO first_rev FROM ${s}.events e
      WHERE e.stream_id = p_stream AND e.event_id = p_ids[1] ORDER BY e.revision LIMIT 1;
    IF FOUND AND first_rev = (CASE p_kind WHEN 'no_stream' THEN 0 WHEN 'revision' THEN p_rev + 1 ELSE first_rev END)
      AND (SELECT count(*) FROM ${s}.events e
             JOIN unnest(p_ids) WITH ORDINALITY AS i(id, k) ON e.revision = first_rev + i.k - 1 AND e.event_id = i.id
             WHERE e.stream_id = p_stream) = n THEN
      RETURN QUERY SELECT e.revision, e.transaction_id::text, e.position FROM ${s}.events e
        WHERE e.stream_id = p_stream AND e.revision = first_rev + n - 1;
      RETURN;
    END IF;
  END IF;
  IF NOT (p_kind = 'any'
       OR (p_kind = 'no_stream' AND cur IS NULL)
       OR (p_kind = 'stream_exists' AND cur IS NOT NULL)
       OR (p_kind = 'revision' AND cur IS NOT NULL AND cur = p_rev)) THEN
    RAISE EXCEPTION 'wrong expected revision' USING ERRCODE = 'SY001', DETAIL = coalesce(cur::text, 'no_stream');
  END IF;
  UPDATE ${s}.streams SET revision = st.revision + n, soft_deleted = false WHERE stream_id = p_stream;
  PERFORM pg_notify('${channel}', '');
  RETURN QUERY WITH written AS (
    INSERT INTO ${s}.events (stream_id, revision, event_id, type, content_type, schema_version, data, metadata)
    SELECT p_stream, st.revision + i.k, i.id, i.t, i.ct, i.v, i.d, i.m::json
      FROM unnest(p_ids, p_types, p_content_types, p_versions, p_data, p_metadata) WITH ORDINALITY AS i(id, t, ct, v, d, m, k)
      ORDER BY i.k
    RETURNING revision, transaction_id, position
  ) SELECT w.revision, w.transaction_id::text, w.position FROM written w ORDER BY w.revision DESC LIMIT 1;
END
$fn$;

CREATE OR REPLACE FUNCTION ${s}.delete_stream(p_stream text, p_kind text, p_rev bigint, p_hard boolean)
RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
  st ${s}.streams%ROWTYPE;
  cur bigint;
BEGIN
  IF p_hard THEN
    INSERT INTO ${s}.streams (stream_id) VALUES (p_stream) ON CONFLICT (stream_id) DO NOTHING;
  END IF;
  SELECT * INTO st FROM ${s}.streams WHERE stream_id = p_stream FOR UPDATE;
  IF st.tombstoned THEN
    RAISE EXCEPTION 'stream is tombstoned' USING ERRCODE = 'SY002';
  END IF;
  cur := CASE WHEN NOT FOUND OR st.soft_deleted OR st.revision < 0 THEN NULL ELSE st.revision END;
  IF NOT (p_kind = 'any'
       OR (p_kind = 'no_stream' AND cur IS NULL)
       OR (p_kind = 'stream_exists' AND cur IS NOT NULL)
       OR (p_kind = 'revision' AND cur IS NOT NULL AND cur = p_rev)) THEN
    RAISE EXCEPTION 'wrong expected revision' USING ERRCODE = 'SY001', DETAIL = coalesce(cur::text, 'no_stream');
  END IF;
  IF p_hard THEN
    UPDATE ${s}.streams SET tombstoned = true WHERE stream_id = p_stream;
  ELSIF cur IS NULL THEN
    RAISE EXCEPTION 'stream not found' USING ERRCODE = 'SY003';
  ELSE
    UPDATE ${s}.streams SET soft_deleted = true, deleted_before = st.revision + 1 WHERE stream_id = p_stream;
  END IF;
END
$fn$;
`;
}

/**
 * After a logical restore the stored transaction ids can be ahead of the new cluster's counter:
 * new events would sort before old ones and a subscriber would skip them. The restored history
 * is renumbered into transaction 0 (it is all committed, so position order is a valid order),
 * group cursors move back to where nothing after them can be missed, and a new epoch makes every
 * checkpoint taken before the restore a typed error instead of a silent skip.
 */
export function renumberAfterRestoreSql(schema: string): string {
  const s = quoteIdent(schema);
  return `
UPDATE ${s}.groups g SET
  cursor_position = coalesce(
    (SELECT min(e.position) - 1 FROM ${s}.events e WHERE (e.transaction_id, e.position) > (g.cursor_xid, g.cursor_position)),
    (SELECT coalesce(max(e.position), 0) FROM ${s}.events e)),
  cursor_xid = '0'
  WHERE g.cursor_xid IS NOT NULL;
UPDATE ${s}.group_messages SET transaction_id = '0';
UPDATE ${s}.events SET transaction_id = '0' WHERE transaction_id <> '0';
UPDATE ${s}.store SET epoch = ${NEW_EPOCH};
`;
}

/** A random positive 47-bit epoch: another store's checkpoint matches it by chance once in 10^14. */
export const NEW_EPOCH = "(floor(random() * 140737488355327) + 1)::bigint";
