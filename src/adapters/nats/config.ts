import { z } from "zod";
import { ConfigurationError } from "../../core/errors.js";
import { parseHostListUrl } from "../../core/host-list-url.js";
import { redactUrl } from "../../core/redact.js";

export const NATS_SCHEMES = ["nats:"] as const;
export const DEFAULT_PORT = 4222;
export const DEFAULT_STREAM = "switchyard";
/** JetStream's default duplicate window: a `Nats-Msg-Id` is remembered this long. */
export const DEFAULT_DUPLICATE_WINDOW_MS = 120_000;
/** The server's default `max_payload` (1 MiB): one event is one message, headers included. */
export const DEFAULT_MAX_APPEND_BYTES = 1_048_576;
export const DEFAULT_TIMEOUT_MS = 5_000;

/**
 * A JetStream stream name that is also one subject token: the stream's subjects are `<name>.>`.
 * JetStream refuses `.`, `*`, `>`, whitespace and path separators in names.
 */
const STREAM_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const SERVER = /^[^\s,/@]+$/;

export const natsConfigSchema = z
  .object({
    backend: z.literal("nats"),
    /** `host:port` of one or more servers of the cluster (default port 4222). */
    servers: z.array(z.string().regex(SERVER, "host[:port]")).min(1),
    /** The JetStream stream holding this store's events (default "switchyard"); created on first use. */
    stream: z.string().regex(STREAM_NAME, "letters, digits, _ and -, at most 64").optional(),
    /** Replicas of a stream this adapter creates (default 1; 3 or 5 in a cluster). An existing stream keeps its own. */
    replicas: z.number().int().min(1).max(5).optional(),
    /** Duplicate window of a stream this adapter creates, in ms (default 120000, JetStream's). */
    duplicateWindowMs: z.number().int().positive().optional(),
    user: z.string().min(1).optional(),
    password: z.string().optional(),
    token: z.string().min(1).optional(),
    /** A NATS `.creds` file (user JWT and NKey seed); read when the connection opens. */
    credsFile: z.string().min(1).optional(),
    /** How long a request (publish acknowledgement, API call) waits, in ms (default 5000). */
    timeoutMs: z.number().int().positive().optional(),
    /** Largest event accepted, in bytes including its headers (default 1 MiB, the server's max_payload). */
    maxAppendBytes: z.number().int().positive().optional(),
  })
  .strict()
  .refine((c) => [c.user !== undefined || c.password !== undefined, c.token !== undefined, c.credsFile !== undefined].filter(Boolean).length <= 1, {
    message: "give one kind of credentials: user and password, a token, or a creds file",
  })
  .refine((c) => c.password === undefined || c.user !== undefined, { message: "a password needs a user" });

/** The NATS JetStream backend's config, as `connect()` validates it. */
export type NatsConfig = z.infer<typeof natsConfigSchema>;

const NUMBER_PARAMS = ["replicas", "duplicateWindowMs", "timeoutMs", "maxAppendBytes"] as const;
const KNOWN_PARAMS = ["stream", "creds", "token", ...NUMBER_PARAMS];
const EXPECTED = "nats://[user:password@|token@]host[:4222][,host2[:port]…][?stream=name&replicas=N&duplicateWindowMs=N&creds=/path/user.creds&timeoutMs=N&maxAppendBytes=N]";

/**
 * `nats://host:4222,host2:4222?stream=events&replicas=3`. Credentials: `user:password@`, a lone
 * `token@` (NATS's own URL convention), `?token=` or `?creds=/path/to/user.creds`. Refusals
 * print the URL masked.
 */
export function natsConfigFromUrl(url: URL | string): NatsConfig {
  const text = String(url);
  const shown = redactUrl(text);
  const fail = (why: string) => new ConfigurationError(`Invalid NATS URL ${shown}: ${why} (expected ${EXPECTED})`);
  const parsed = parseHostListUrl(text);
  if (!parsed || parsed.url.protocol !== "nats:") throw fail("not a nats:// URL with one or more hosts");
  const { url: first, hosts } = parsed;
  if (first.pathname !== "" && first.pathname !== "/") throw fail("a NATS URL has no path");
  if (first.hash !== "") throw fail("a NATS URL has no fragment");
  const config: Record<string, unknown> = {
    backend: "nats",
    servers: hosts.map((h) => `${h.host}:${h.port ?? DEFAULT_PORT}`), // an IPv6 host comes in brackets
  };
  if (first.username !== "" && first.password === "" && !text.includes(`${first.username}:@`)) {
    config.token = decode(first.username, fail);
  } else if (first.username !== "") {
    config.user = decode(first.username, fail);
    config.password = decode(first.password, fail);
  }
  for (const [key, value] of first.searchParams) {
    if (!KNOWN_PARAMS.includes(key)) throw fail(`unknown option "${key}" (expected one of ${KNOWN_PARAMS.join(", ")})`);
    if ((NUMBER_PARAMS as readonly string[]).includes(key)) {
      const n = Number(value);
      if (value.trim() === "" || !Number.isSafeInteger(n)) throw fail(`${key} must be an integer`);
      config[key] = n;
    } else if (key === "creds") config.credsFile = value;
    else config[key] = value;
  }
  return checkedNatsConfig(config, (why) => fail(why));
}

/** Validates a config object; messages name the field and the rule, never a value. */
export function checkedNatsConfig(config: unknown, fail = (why: string) => new ConfigurationError(`Invalid NATS config: ${why}`)): NatsConfig {
  const parsed = natsConfigSchema.safeParse(config);
  if (!parsed.success) throw fail(parsed.error.issues.map((i) => `${i.path.join(".") || "(config)"}: ${i.message}`).join("; "));
  return parsed.data;
}

function decode(text: string, fail: (why: string) => ConfigurationError): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw fail("a part of the URL is not valid percent-encoding");
  }
}

export function streamNameOf(config: NatsConfig): string {
  return config.stream ?? DEFAULT_STREAM;
}

/** Every secret a config holds, as given and encoded, for masking. */
export function secretsOf(config: NatsConfig): string[] {
  const secrets = [config.password, config.token].filter((s): s is string => s !== undefined && s !== "");
  return secrets.flatMap((s) => [s, encodeURIComponent(s)]);
}
