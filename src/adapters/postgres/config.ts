import { z } from "zod";
import { ConfigurationError } from "../../core/errors.js";
import { redactUrl } from "../../core/redact.js";

export const POSTGRES_SCHEMES = ["postgres:", "postgresql:"] as const;

/** Letters, digits and underscores, short enough that the NOTIFY channel name fits PostgreSQL's 63 bytes. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,39}$/;

const SSL_MODES = ["disable", "prefer", "require", "verify-ca", "verify-full"] as const;

export const postgresConfigSchema = z
  .object({
    backend: z.literal("postgres"),
    /** Host name, IP address or Unix-socket directory (default: localhost). */
    host: z.string().min(1).optional(),
    port: z.number().int().min(1).max(65_535).optional(),
    user: z.string().min(1).optional(),
    password: z.string().optional(),
    database: z.string().min(1).optional(),
    sslmode: z.enum(SSL_MODES).optional(),
    /** The schema holding this store's tables (default "switchyard"); several stores can share a database. */
    schema: z.string().regex(SCHEMA_NAME, "lower-case letters, digits and _, at most 40, not starting with a digit").optional(),
    /** Largest number of pooled connections (default 10); the LISTEN connection comes on top. */
    poolMax: z.number().int().positive().optional(),
    idleTimeoutMs: z.number().int().nonnegative().optional(),
    connectionTimeoutMs: z.number().int().nonnegative().optional(),
    /** LISTEN/NOTIFY wake-ups (default true); false behind a transaction-mode pooler, where only polling works. */
    listen: z.boolean().optional(),
    /** How often subscribers look for new events without a notification (default 1000 ms). */
    pollIntervalMs: z.number().int().positive().optional(),
    applicationName: z.string().min(1).optional(),
  })
  .strict();

/** The PostgreSQL backend's config, as `connect()` validates it. */
export type PostgresConfig = z.infer<typeof postgresConfigSchema>;

const NUMBER_PARAMS = ["poolMax", "idleTimeoutMs", "connectionTimeoutMs", "pollIntervalMs", "port"] as const;
const KNOWN_PARAMS = ["schema", "sslmode", "listen", "application_name", "host", "user", "password", "dbname", ...NUMBER_PARAMS];

/**
 * `postgres://user:password@host:5432/database?schema=events&sslmode=require&poolMax=20` (libpq's
 * URL form; `host=` in the query names a Unix-socket directory). Refusals print the URL masked.
 */
export function postgresConfigFromUrl(url: URL): PostgresConfig {
  const shown = redactUrl(url.href);
  const fail = (why: string) => new ConfigurationError(`Invalid PostgreSQL URL ${shown}: ${why}`);
  const config: Record<string, unknown> = { backend: "postgres" };
  if (url.hostname) config.host = decode(url.hostname.replace(/^\[|\]$/g, ""), fail);
  if (url.port) config.port = Number(url.port);
  if (url.username) config.user = decode(url.username, fail);
  if (url.password) config.password = decode(url.password, fail);
  const path = url.pathname.replace(/^\//, "");
  if (path.includes("/")) throw fail("the path is just the database name");
  if (path) config.database = decode(path, fail);
  for (const [key, value] of url.searchParams) {
    if (!KNOWN_PARAMS.includes(key)) throw fail(`unknown option "${key}" (expected one of ${KNOWN_PARAMS.join(", ")})`);
    if ((NUMBER_PARAMS as readonly string[]).includes(key)) {
      const n = Number(value);
      if (value === "" || !Number.isSafeInteger(n)) throw fail(`${key} must be an integer`);
      config[key] = n;
    } else if (key === "listen") {
      if (value !== "true" && value !== "false") throw fail(`listen must be true or false`);
      config.listen = value === "true";
    } else if (key === "application_name") config.applicationName = value;
    else if (key === "dbname") config.database = value;
    else config[key] = value;
  }
  const parsed = postgresConfigSchema.safeParse(config);
  if (!parsed.success) {
    // zod names the field and the rule, never the value, so the password stays out.
    throw fail(parsed.error.issues.map((i) => `${i.path.join(".") || "(config)"}: ${i.message}`).join("; "));
  }
  return parsed.data;
}

function decode(text: string, fail: (why: string) => ConfigurationError): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw fail("a part of the URL is not valid percent-encoding");
  }
}

/** The schema a config names, with its default. */
export function schemaOf(config: PostgresConfig): string {
  return config.schema ?? "switchyard";
}
