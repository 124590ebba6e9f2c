import type { AppendRequest, DeleteRequest } from "../../core/driver.js";
import type { AppendResult, ExpectedRevision } from "../../core/event.js";
import type { Connection } from "./connection.js";
import { toPosition } from "./positions.js";
import { quoteIdent } from "./schema-sql.js";

/** The expected revision as the SQL functions take it: a kind and, for "revision", the number. */
export function expectedParams(expected: ExpectedRevision): [string, string | null] {
  return typeof expected === "bigint" ? ["revision", expected.toString()] : [expected, null];
}

/**
 * One append, one round trip: the schema's `append` function locks the stream row, checks the
 * expected revision (or recognises a retried batch), inserts the batch and notifies, all in the
 * statement's own transaction, so a failure writes nothing.
 */
export async function appendEvents(connection: Connection, schema: string, epoch: bigint, request: AppendRequest): Promise<AppendResult> {
  const { stream, events, expectedRevision } = request;
  const [kind, revision] = expectedParams(expectedRevision);
  const rows = await connection.query<{ last_revision: string; last_xid: string; last_position: string }>(
    {
      text: `SELECT last_revision::text, last_xid, last_position::text FROM ${quoteIdent(schema)}.append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      name: `switchyard_append_${schema}`,
    },
    [
      stream,
      kind,
      revision,
      events[0]!.idGiven,
      events.map((e) => e.id),
      events.map((e) => e.type),
      events.map((e) => e.contentType),
      events.map((e) => e.schemaVersion),
      events.map((e) => e.data),
      events.map((e) => JSON.stringify(e.metadata)),
    ],
    { operation: `append to "${stream}"`, stream, expected: expectedRevision, write: true },
  );
  const last = rows[0]!;
  return {
    nextExpectedRevision: BigInt(last.last_revision),
    position: toPosition(epoch, BigInt(last.last_xid), BigInt(last.last_position)),
  };
}

/** Soft delete (`hard` false) or tombstone, with the same expected-revision rule as appends. */
export async function deleteStream(connection: Connection, schema: string, request: DeleteRequest, hard: boolean): Promise<void> {
  const { stream, expectedRevision } = request;
  const [kind, revision] = expectedParams(expectedRevision);
  await connection.query(
    `SELECT ${quoteIdent(schema)}.delete_stream($1, $2, $3, $4)`,
    [stream, kind, revision, hard],
    { operation: `${hard ? "tombstone" : "delete"} "${stream}"`, stream, expected: expectedRevision, write: true },
  );
}
