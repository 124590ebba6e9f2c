import { randomUUID } from "node:crypto";
import pg from "pg";
import type { BenchEvent, CartState } from "../types.js";
import { BENCH_PG_POOL, BENCH_PG_URL, benchSchema } from "./postgres-server.js";
import { evolveCart, INITIAL_CART, type Subject } from "./subject.js";

class RawConflict extends Error {
  constructor(readonly actual: bigint) {
    super("wrong expected revision");
  }
}

interface RawRow {
  readonly position: string;
  readonly revision: number;
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
}

/**
 * The floor of PostgreSQL through node-postgres: one table with a unique (stream, revision) index,
 * an append as ONE statement (the next revisions computed from max(revision), the batch inserted
 * from arrays with unnest, the expected revision in its WHERE; the index refuses a racing writer),
 * data as jsonb, a pool of the same size as ours. No global-order guarantee (a bigserial position
 * commits out of order), no metadata, no idempotency, no notifications: what any store pays.
 */
export async function createPgRaw(): Promise<Subject> {
  const schema = benchSchema("raw");
  const pool = new pg.Pool({ connectionString: BENCH_PG_URL, max: BENCH_PG_POOL });
  const table = `"${schema.name}".events`;
  await pool.query(
    `CREATE SCHEMA "${schema.name}"; CREATE TABLE ${table} (position bigserial PRIMARY KEY, stream text NOT NULL, revision integer NOT NULL, ` +
      `id uuid NOT NULL, type text NOT NULL, data jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), UNIQUE (stream, revision))`,
  );
  const insert = {
    name: "raw_append",
    text:
      `INSERT INTO ${table} (stream, revision, id, type, data) ` +
      `SELECT $1, base.last + e.ord, e.id, e.type, e.data ` +
      `FROM (SELECT coalesce(max(revision), -1) AS last FROM ${table} WHERE stream = $1) base, ` +
      `unnest($2::uuid[], $3::text[], $4::jsonb[]) WITH ORDINALITY AS e(id, type, data, ord) ` +
      `WHERE $5::integer IS NULL OR base.last = $5 RETURNING revision`,
  };
  const select = { name: "raw_read", text: `SELECT position, revision, id, type, data FROM ${table} WHERE stream = $1 ORDER BY revision` };
  const lastRevision = async (stream: string) =>
    BigInt((await pool.query<{ last: number }>(`SELECT coalesce(max(revision), -1) AS last FROM ${table} WHERE stream = $1`, [stream])).rows[0]!.last);

  async function append(stream: string, events: readonly BenchEvent[], expected?: bigint): Promise<bigint> {
    let result: pg.QueryResult<{ revision: number }>;
    try {
      result = await pool.query<{ revision: number }>({
        ...insert,
        values: [
          stream,
          events.map(() => randomUUID()),
          events.map((e) => e.type),
          events.map((e) => JSON.stringify(e.data)),
          expected === undefined ? null : Number(expected),
        ],
      });
    } catch (error) {
      // 23505: a racing writer took the same revisions.
      if ((error as { code?: string }).code === "23505" && expected !== undefined) throw new RawConflict(await lastRevision(stream));
      throw error;
    }
    if (result.rows.length === 0) throw new RawConflict(await lastRevision(stream));
    return BigInt(result.rows[result.rows.length - 1]!.revision);
  }

  const readRows = async (stream: string) => (await pool.query<RawRow>({ ...select, values: [stream] })).rows;

  return {
    name: "pg-raw",
    family: "postgres",
    expectedRevision: true,
    notes: [`node-postgres directly, pool of ${BENCH_PG_POOL}, one INSERT … SELECT … unnest per append, jsonb data`, "reads return id, type, data, revision, position", "no catch-up subscription"],
    append,
    conflictRevision: (error) => (error instanceof RawConflict ? error.actual : undefined),
    async read(stream) {
      let count = 0;
      for (const row of await readRows(stream)) if (row.data !== undefined) count++;
      return count;
    },
    async handle(stream, command) {
      for (;;) {
        const rows = await readRows(stream);
        const state: CartState = rows.reduce(evolveCart, INITIAL_CART);
        try {
          await append(stream, [command], BigInt(rows.length) - 1n);
          return state;
        } catch (error) {
          if (!(error instanceof RawConflict)) throw error;
        }
      }
    },
    async close() {
      await pool.end();
      await schema.drop();
    },
  };
}
