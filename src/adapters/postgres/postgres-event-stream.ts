import { CodecRegistry } from "../../core/codec.js";
import { ConfigurationError } from "../../core/errors.js";
import { EventStreamRuntime } from "../../core/runtime.js";
import { postgresConfigFromUrl, postgresConfigSchema, type PostgresConfig } from "./config.js";
import { PostgresDriver } from "./postgres-driver.js";

/** Options of `createPostgresEventStream`. */
export interface PostgresEventStreamOptions {
  /** A `postgres://` URL or a config object. */
  readonly connection: string | URL | Omit<PostgresConfig, "backend">;
  /** Codecs for content types beyond json, octet-stream and text. */
  readonly codecs?: CodecRegistry;
}

/** Opens a PostgreSQL store; its schema is created on first use (or by `migrate()`). */
export function createPostgresEventStream(options: PostgresEventStreamOptions): PostgresEventStream {
  const { connection } = options;
  const config =
    typeof connection === "string" || connection instanceof URL
      ? postgresConfigFromUrl(new URL(String(connection)))
      : checked({ ...connection, backend: "postgres" });
  return new PostgresEventStream(config, options.codecs);
}

/** What `connect()` calls with a validated config. */
export function createPostgresEventStreamFromConfig(config: PostgresConfig): PostgresEventStream {
  return new PostgresEventStream(config);
}

/** The PostgreSQL driver under core's runtime, with the store's schema operations. */
export class PostgresEventStream extends EventStreamRuntime<PostgresDriver> {
  constructor(config: PostgresConfig, codecs: CodecRegistry = new CodecRegistry()) {
    super(new PostgresDriver(config, codecs), { codecs });
  }

  /** The schema holding this store's tables. */
  get schema(): string {
    return this.driver.schema;
  }

  /** Creates or upgrades the schema; idempotent, and safe when several processes run it at once. */
  migrate(): Promise<void> {
    return this.driver.migrate();
  }

  /** Drops the store's schema with every event in it (tests and tooling). */
  dropSchema(): Promise<void> {
    return this.driver.dropSchema();
  }
}

function checked(config: PostgresConfig): PostgresConfig {
  const parsed = postgresConfigSchema.safeParse(config);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(config)"}: ${i.message}`).join("; ");
    throw new ConfigurationError(`Invalid PostgreSQL config: ${issues}`);
  }
  return parsed.data;
}
