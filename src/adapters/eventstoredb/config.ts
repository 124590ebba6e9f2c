import { z } from "zod";
import { ConfigurationError } from "../../core/errors.js";
import { parseHostListUrl } from "../../core/host-list-url.js";
import { redactUrl } from "../../core/redact.js";

/** The largest append EventStoreDB accepts by default (server option MaxAppendSize). */
export const DEFAULT_MAX_APPEND_BYTES = 1_048_576;

const endpointSchema = z
  .object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65_535).optional(),
  })
  .strict();

const NODE_PREFERENCES = ["leader", "follower", "random", "read_only_replica"] as const;

/** The zod schema of the EventStoreDB config. */
export const eventStoreDBConfigSchema = z
  .object({
    backend: z.literal("eventstoredb"),
    /** One node, or several gossip seeds of a cluster. Default: localhost:2113. */
    hosts: z.array(endpointSchema).min(1).optional(),
    /** Discover the cluster through DNS and gossip from the one host (`esdb+discover://`); several hosts are always gossip seeds. */
    discover: z.boolean().optional(),
    /** Default true, as in the official client. */
    tls: z.boolean().optional(),
    /** PEM file of the CA that signed the server certificate. */
    tlsCAFile: z.string().min(1).optional(),
    /** Only `true` is supported by @eventstore/db-client 6.2.1; use tlsCAFile for private CAs. */
    tlsVerifyCert: z.literal(true).optional(),
    /** X.509 client certificate and its key (PEM files), for certificate authentication. */
    userCertFile: z.string().min(1).optional(),
    userKeyFile: z.string().min(1).optional(),
    username: z.string().min(1).optional(),
    password: z.string().optional(),
    connectionName: z.string().min(1).optional(),
    nodePreference: z.enum(NODE_PREFERENCES).optional(),
    /** Deadline of each unary call, in ms (client default 10 000). */
    defaultDeadlineMs: z.number().int().positive().optional(),
    keepAliveIntervalMs: z.number().int().min(-1).optional(),
    keepAliveTimeoutMs: z.number().int().positive().optional(),
    discoveryIntervalMs: z.number().int().positive().optional(),
    maxDiscoverAttempts: z.number().int().positive().optional(),
    /** The server's MaxAppendSize, if it was changed from 1 MiB. */
    maxAppendBytes: z.number().int().positive().optional(),
    /**
     * Follow categories through the `$ce-<category>` streams of the server's `$by_category`
     * projection when it is running (checked at each subscription; otherwise, and by default, the
     * `$all` stream-prefix filter, which needs no projection). See docs/eventstoredb.md.
     */
    categoryStreams: z.boolean().optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    if ((config.username === undefined) !== (config.password === undefined)) {
      ctx.addIssue({ code: "custom", path: ["username"], message: "username and password must be given together" });
    }
    if (config.username !== undefined && config.tls === false) {
      ctx.addIssue({
        code: "custom",
        path: ["tls"],
        message:
          "credentials need TLS: @eventstore/db-client silently drops credentials on an insecure (tls=false) connection",
      });
    }
    if ((config.userCertFile === undefined) !== (config.userKeyFile === undefined)) {
      ctx.addIssue({ code: "custom", path: ["userCertFile"], message: "userCertFile and userKeyFile must be given together" });
    }
    if (config.userCertFile !== undefined && config.tls === false) {
      ctx.addIssue({ code: "custom", path: ["tls"], message: "a client certificate needs TLS (tls=true)" });
    }
  });

/** The EventStoreDB backend's config, as `connect()` validates it. */
export type EventStoreDBConfig = z.infer<typeof eventStoreDBConfigSchema>;

/** URL schemes understood, mapped to whether they use discovery. */
export const ESDB_SCHEMES: Readonly<Record<string, boolean>> = {
  "esdb:": false,
  "esdb+discover:": true,
  "kurrentdb:": false,
  "kurrentdb+discover:": true,
  "kurrent:": false,
  "kurrent+discover:": true,
};

const EXPECTED_URL = `"esdb://[user:password@]host[:port][,host[:port]...][?tls=false&...]" (also kurrentdb://, esdb+discover://)`;

type QueryKey =
  | "tls"
  | "tlsCAFile"
  | "tlsVerifyCert"
  | "userCertFile"
  | "userKeyFile"
  | "connectionName"
  | "nodePreference"
  | "defaultDeadline"
  | "keepAliveInterval"
  | "keepAliveTimeout"
  | "discoveryInterval"
  | "maxDiscoverAttempts"
  | "maxAppendBytes"
  | "categoryStreams";

const QUERY_KEYS: readonly QueryKey[] = [
  "tls",
  "tlsCAFile",
  "tlsVerifyCert",
  "userCertFile",
  "userKeyFile",
  "connectionName",
  "nodePreference",
  "defaultDeadline",
  "keepAliveInterval",
  "keepAliveTimeout",
  "discoveryInterval",
  "maxDiscoverAttempts",
  "maxAppendBytes",
  "categoryStreams",
];

/** Keys are matched like the official client does: case, dashes and underscores ignored. */
const canonicalKey = (key: string) => key.toLowerCase().replace(/[-_]/g, "");
const KEY_BY_CANONICAL = new Map(QUERY_KEYS.map((k) => [canonicalKey(k), k]));

/**
 * Parses a connection string as the official client does, with a comma-separated host list
 * (`esdb://user:pass@h1:2113,h2:2113,h3:2113?tls=true`): several hosts are gossip seeds.
 */
export function eventStoreDBConfigFromConnectionString(text: string): EventStoreDBConfig {
  const parsed = parseHostListUrl(text);
  if (!parsed) throw new ConfigurationError(`Malformed EventStoreDB URL "${redactUrl(text)}": expected ${EXPECTED_URL}`);
  const config = eventStoreDBConfigFromUrl(parsed.url);
  if (parsed.hosts.length > 1) config.hosts = parsed.hosts.map(({ host, port }) => ({ host: unbracketed(host), port: port ?? 2113 }));
  return config;
}

/**
 * Parses `esdb://user:pass@host:2113?tls=false` (and `kurrentdb://`, `esdb+discover://`) into a
 * config; host lists are read by `eventStoreDBConfigFromConnectionString`.
 */
export function eventStoreDBConfigFromUrl(url: URL): EventStoreDBConfig {
  const discover = ESDB_SCHEMES[url.protocol];
  if (discover === undefined) throw new ConfigurationError(`Unknown scheme "${url.protocol}": expected ${EXPECTED_URL}`);
  if (url.hostname === "") throw new ConfigurationError(`An EventStoreDB URL needs a host: expected ${EXPECTED_URL}`);
  if (url.pathname !== "" && url.pathname !== "/") {
    throw new ConfigurationError(`An EventStoreDB URL takes no path: expected ${EXPECTED_URL}`);
  }
  const config: EventStoreDBConfig = {
    backend: "eventstoredb",
    hosts: [{ host: unbracketed(url.hostname), port: url.port === "" ? 2113 : Number(url.port) }],
    discover,
  };
  if (url.username !== "" || url.password !== "") {
    if (url.username === "") throw new ConfigurationError("EventStoreDB URL has a password but no user name");
    config.username = decodeURIComponent(url.username);
    config.password = decodeURIComponent(url.password);
  }
  for (const [rawKey, value] of url.searchParams) {
    const key = KEY_BY_CANONICAL.get(canonicalKey(rawKey));
    if (!key) {
      throw new ConfigurationError(`EventStoreDB URL: unknown option "${rawKey}" (expected one of: ${QUERY_KEYS.join(", ")})`);
    }
    applyQueryOption(config, key, value);
  }
  if (config.username !== undefined && config.tls === false) {
    throw new ConfigurationError(
      `EventStoreDB URL gives credentials with tls=false: @eventstore/db-client would silently drop them. ` +
        `Use TLS (tls=true, tlsCAFile=...) or remove the credentials`,
    );
  }
  return config;
}

function applyQueryOption(config: EventStoreDBConfig, key: QueryKey, value: string): void {
  switch (key) {
    case "tls":
      config.tls = parseBoolean(key, value);
      return;
    case "tlsVerifyCert":
      if (!parseBoolean(key, value)) {
        throw new ConfigurationError(
          "EventStoreDB URL: tlsVerifyCert=false is not supported by @eventstore/db-client 6.2.1 (it would be ignored); " +
            "pass the server's CA with tlsCAFile instead",
        );
      }
      config.tlsVerifyCert = true;
      return;
    case "tlsCAFile":
    case "userCertFile":
    case "userKeyFile":
    case "connectionName":
      config[key] = value;
      return;
    case "nodePreference": {
      const preference = NODE_PREFERENCES.find((p) => canonicalKey(p) === canonicalKey(value));
      if (!preference) {
        throw new ConfigurationError(`EventStoreDB URL: nodePreference must be one of ${NODE_PREFERENCES.join(", ")}`);
      }
      config.nodePreference = preference;
      return;
    }
    case "defaultDeadline":
      config.defaultDeadlineMs = parseInteger(key, value);
      return;
    case "keepAliveInterval":
      config.keepAliveIntervalMs = parseInteger(key, value);
      return;
    case "keepAliveTimeout":
      config.keepAliveTimeoutMs = parseInteger(key, value);
      return;
    case "discoveryInterval":
      config.discoveryIntervalMs = parseInteger(key, value);
      return;
    case "maxDiscoverAttempts":
      config.maxDiscoverAttempts = parseInteger(key, value);
      return;
    case "maxAppendBytes":
      config.maxAppendBytes = parseInteger(key, value);
      return;
    case "categoryStreams":
      config.categoryStreams = parseBoolean(key, value);
      return;
  }
}

function unbracketed(host: string): string {
  return host.startsWith("[") ? host.slice(1, -1) : host;
}

function parseBoolean(key: string, value: string): boolean {
  if (value === "true") return true;
  if (value === "false") return false;
  throw new ConfigurationError(`EventStoreDB URL: ${key} must be "true" or "false"`);
}

function parseInteger(key: string, value: string): number {
  if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new ConfigurationError(`EventStoreDB URL: ${key} must be an integer`);
  }
  return Number(value);
}
