import type { Connection } from "./connection.js";
import { NEW_EPOCH, quoteIdent, renumberAfterRestoreSql, SCHEMA_VERSION, schemaDdl } from "./schema-sql.js";

/** PostgreSQL's "relation does not exist" and "schema does not exist". */
const MISSING = new Set(["42P01", "3F000"]);

interface StoreRow {
  epoch: string;
  version: number;
  restored: boolean | null;
}

/**
 * The store's epoch, creating or upgrading the schema first when needed. One round trip when the
 * schema is current; `restored` is true when stored transaction ids are ahead of the cluster's
 * counter, which only a logical restore into another cluster can cause.
 */
export async function openStore(connection: Connection, schema: string): Promise<bigint> {
  const s = quoteIdent(schema);
  let row: StoreRow | undefined;
  try {
    [row] = await connection.pool.query<StoreRow>(
      `SELECT epoch::text AS epoch, version,
              (SELECT max(transaction_id) FROM ${s}.events) >= pg_snapshot_xmax(pg_current_snapshot()) AS restored
         FROM ${s}.store`,
    ).then((r) => r.rows);
  } catch (error) {
    if (!MISSING.has(String((error as { code?: unknown }).code))) throw connection.translate(error, { operation: "open the store" });
  }
  if (row && row.version >= SCHEMA_VERSION && row.restored !== true) return BigInt(row.epoch);
  return migrate(connection, schema);
}

/**
 * Creates or upgrades the store's schema, idempotently. An advisory lock per schema makes a second
 * process wait and then find everything in place, instead of failing on a concurrent CREATE.
 */
export async function migrate(connection: Connection, schema: string): Promise<bigint> {
  const s = quoteIdent(schema);
  return connection.transaction({ operation: "migrate the schema", write: true }, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`switchyard:${schema}`]);
    await client.query(schemaDdl(schema));
    await client.query(
      `INSERT INTO ${s}.store (id, epoch, version) VALUES (1, ${NEW_EPOCH}, ${SCHEMA_VERSION})
         ON CONFLICT (id) DO UPDATE SET version = GREATEST(${s}.store.version, EXCLUDED.version)`,
    );
    const { rows } = await client.query<{ restored: boolean | null }>(
      `SELECT (SELECT max(transaction_id) FROM ${s}.events) >= pg_current_xact_id() AS restored`,
    );
    if (rows[0]?.restored === true) await client.query(renumberAfterRestoreSql(schema));
    const epoch = await client.query<{ epoch: string }>(`SELECT epoch::text AS epoch FROM ${s}.store`);
    return BigInt(epoch.rows[0]!.epoch);
  });
}

/** Drops a store and everything in it (tests, tooling). */
export async function dropStore(connection: Connection, schema: string): Promise<void> {
  await connection.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`, [], { operation: "drop the schema", write: true });
}
