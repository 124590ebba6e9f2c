import { StreamDeletedError } from "../../core/errors.js";
import type { StreamMetadata } from "../../core/event-stream.js";
import type { Connection } from "./connection.js";
import { quoteIdent } from "./schema-sql.js";

interface MetadataRow {
  tombstoned: boolean;
  max_count: string | null;
  max_age_seconds: string | null;
  truncate_before: string | null;
}

export async function getStreamMetadata(connection: Connection, schema: string, stream: string): Promise<StreamMetadata> {
  const [row] = await connection.query<MetadataRow>(
    `SELECT tombstoned, max_count::text, max_age_seconds::text, truncate_before::text FROM ${quoteIdent(schema)}.streams WHERE stream_id = $1`,
    [stream],
    { operation: `read the metadata of "${stream}"`, stream },
  );
  if (row?.tombstoned) throw new StreamDeletedError(stream);
  const metadata: StreamMetadata = {};
  if (row?.max_count != null) metadata.maxCount = Number(row.max_count);
  if (row?.max_age_seconds != null) metadata.maxAgeSeconds = Number(row.max_age_seconds);
  if (row?.truncate_before != null) metadata.truncateBefore = BigInt(row.truncate_before);
  return metadata;
}

/** Replaces the stream's retention settings; a stream without events gets a row for them. */
export async function setStreamMetadata(connection: Connection, schema: string, stream: string, metadata: StreamMetadata): Promise<void> {
  const [row] = await connection.query<{ tombstoned: boolean }>(
    `INSERT INTO ${quoteIdent(schema)}.streams AS s (stream_id, max_count, max_age_seconds, truncate_before)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (stream_id) DO UPDATE
         SET max_count = EXCLUDED.max_count, max_age_seconds = EXCLUDED.max_age_seconds, truncate_before = EXCLUDED.truncate_before
         WHERE NOT s.tombstoned
       RETURNING s.tombstoned`,
    [stream, metadata.maxCount ?? null, metadata.maxAgeSeconds ?? null, metadata.truncateBefore?.toString() ?? null],
    { operation: `set the metadata of "${stream}"`, stream, write: true },
  );
  // No row back: the conflicting row is tombstoned, so nothing was changed.
  if (!row) throw new StreamDeletedError(stream);
}
