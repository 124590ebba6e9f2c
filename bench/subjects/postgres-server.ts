import { randomBytes } from "node:crypto";
import pg from "pg";

/** The machine's PostgreSQL (trust auth, database `test`), as the tests use it; override with SWITCHYARD_PG_URL. */
export const BENCH_PG_URL = process.env.SWITCHYARD_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** A schema of its own per cell (every subject starts on empty tables), dropped when the cell closes. */
export function benchSchema(label: string): { readonly name: string; drop(): Promise<void> } {
  const name = `bench_${label}_${randomBytes(4).toString("hex")}`;
  return {
    name,
    async drop() {
      const client = new pg.Client({ connectionString: BENCH_PG_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Pool size of every PostgreSQL subject: node-postgres' default, which is also our adapter's. */
export const BENCH_PG_POOL = 10;
