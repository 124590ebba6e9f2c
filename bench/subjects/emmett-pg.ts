import { getPostgreSQLEventStore } from "@event-driven-io/emmett-postgresql";
import pg from "pg";
import { BENCH_PG_URL, benchSchema } from "./postgres-server.js";
import { emmettSubject } from "./emmett-subject.js";
import type { Subject } from "./subject.js";

/**
 * Emmett's PostgreSQL store (pinned devDependency), in a schema of its own: Emmett takes no schema
 * option, so its connection sets `search_path` to the cell's schema, where it creates its tables.
 */
export async function createEmmettPostgres(): Promise<Subject> {
  const schema = benchSchema("emmett");
  const admin = new pg.Client({ connectionString: BENCH_PG_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA "${schema.name}"`);
  } finally {
    await admin.end();
  }
  const url = `${BENCH_PG_URL}?options=${encodeURIComponent(`-c search_path=${schema.name}`)}`;
  const store = getPostgreSQLEventStore(url);
  await store.schema.migrate();
  // Emmett's PostgreSQL store reports -1 as the current version of every conflict (a TODO in its
  // source), so the contended writers read the actual one from its streams table, as a user would.
  const lookup = new pg.Pool({ connectionString: BENCH_PG_URL, max: 2 });
  const currentRevision = async (stream: string): Promise<bigint> => {
    const { rows } = await lookup.query<{ position: string }>(
      `SELECT stream_position::text AS position FROM "${schema.name}".emt_streams WHERE stream_id = $1 AND is_archived = false`,
      [stream],
    );
    return rows.length === 0 ? -1n : BigInt(rows[0]!.position) - 1n;
  };
  return emmettSubject(store, {
    name: "emmett-pg",
    family: "postgres",
    notes: [
      "no catch-up subscription compared (Emmett's consumers poll in batches)",
      "conflicts carry no current version (-1): the actual one is read from its streams table",
    ],
    actualRevision: currentRevision,
    async close() {
      await lookup.end();
      await store.close();
      await schema.drop();
    },
  });
}
