import pg from "pg";
import type { PoolConfig, QueryResultRow } from "pg";
import { ClosedError, ConnectionError, isSwitchyardError } from "../../core/errors.js";
import type { PostgresConfig } from "./config.js";
import { translatePgError, type PgContext } from "./errors.js";

export type PgOperation = Omit<PgContext, "secrets">;

/** pg's connection settings for a config (shared by the pool and the LISTEN connection). */
export function clientSettings(config: PostgresConfig): PoolConfig {
  const settings: PoolConfig = {};
  if (config.host !== undefined) settings.host = config.host;
  if (config.port !== undefined) settings.port = config.port;
  if (config.user !== undefined) settings.user = config.user;
  if (config.password !== undefined) settings.password = config.password;
  if (config.database !== undefined) settings.database = config.database;
  if (config.connectionTimeoutMs !== undefined) settings.connectionTimeoutMillis = config.connectionTimeoutMs;
  settings.application_name = config.applicationName ?? "switchyard-events";
  const ssl = sslOption(config.sslmode);
  if (ssl !== undefined) settings.ssl = ssl;
  return settings;
}

// pg has no "prefer" (try TLS, fall back): it connects without TLS, as "disable" does.
function sslOption(mode: PostgresConfig["sslmode"]): PoolConfig["ssl"] {
  switch (mode) {
    case "require":
      return { rejectUnauthorized: false };
    case "verify-ca":
      return { rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case "verify-full":
      return { rejectUnauthorized: true };
    default:
      return undefined;
  }
}

/** The pool every request goes through, translating errors and telling sent from never sent. */
export class Connection {
  readonly pool: pg.Pool;
  readonly secrets: readonly string[];
  #closed = false;

  constructor(readonly config: PostgresConfig) {
    this.secrets = config.password ? [config.password, encodeURIComponent(config.password)] : [];
    this.pool = new pg.Pool({
      ...clientSettings(config),
      max: config.poolMax ?? 10,
      idleTimeoutMillis: config.idleTimeoutMs ?? 10_000,
    });
    // An idle client whose server went away emits here; the pool drops it and the next request reconnects.
    this.pool.on("error", () => undefined);
  }

  /** One statement in autocommit. */
  async query<R extends QueryResultRow>(
    statement: string | { text: string; name: string },
    values: readonly unknown[],
    context: PgOperation,
  ): Promise<R[]> {
    const config = typeof statement === "string" ? { text: statement } : statement;
    const run = () => this.transaction(context, async (client) => (await client.query<R>({ ...config, values: values as unknown[] })).rows, false);
    try {
      return await run();
    } catch (error) {
      // A pooled connection the server closed (a restart) fails once; a read can safely try a fresh one.
      if (context.write || !(error instanceof ConnectionError) || !isBrokenConnection(error.cause)) throw error;
      return run();
    }
  }

  /**
   * Runs `body` on one pooled client, inside BEGIN/COMMIT when `inTransaction`. A failure to get
   * a client never sent anything; a failure after is translated with `context.write` deciding
   * whether its outcome is unknown.
   */
  async transaction<T>(context: PgOperation, body: (client: pg.PoolClient) => Promise<T>, inTransaction = true): Promise<T> {
    if (this.#closed) throw new ClosedError("This EventStream has been closed");
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw this.translate(error, { ...context, notSent: true });
    }
    let broken: unknown;
    // A socket that dies under a checked-out client is also emitted as 'error' (the query has its own rejection).
    const onError = (error: unknown) => (broken = error);
    client.on("error", onError);
    try {
      if (!inTransaction) return await body(client);
      await client.query("BEGIN");
      try {
        const result = await body(client);
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch((rollbackError: unknown) => (broken = rollbackError));
        throw error;
      }
    } catch (error) {
      if (isBrokenConnection(error)) broken = error;
      throw this.translate(error, context);
    } finally {
      client.off("error", onError);
      client.release(broken instanceof Error ? broken : undefined);
    }
  }

  translate(error: unknown, context: PgOperation): Error {
    return translatePgError(error, { ...context, secrets: this.secrets });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.pool.end();
  }
}

/** No SQLSTATE: the socket failed, so the client must not go back to the pool. */
function isBrokenConnection(error: unknown): boolean {
  if (isSwitchyardError(error)) return false;
  const code = (error as { code?: unknown })?.code;
  return !(typeof code === "string" && /^[0-9A-Z]{5}$/.test(code));
}
