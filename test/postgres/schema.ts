import { randomBytes } from "node:crypto";
import pg from "pg";

/** The machine's shared server (trust auth). */
export const SHARED_URL = process.env.SWITCHYARD_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** A schema no other test file (or run) uses. */
export function uniqueSchema(label: string): string {
  return `t_${label}_${randomBytes(4).toString("hex")}`;
}

export function urlWithSchema(base: string, schema: string, extra = ""): string {
  return `${base}${base.includes("?") ? "&" : "?"}schema=${schema}${extra}`;
}

/** Drops test schemas at the end of a file. */
export async function dropSchemas(base: string, schemas: readonly string[]): Promise<void> {
  const client = new pg.Client({ connectionString: base.replace(/\?.*$/, "") });
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
