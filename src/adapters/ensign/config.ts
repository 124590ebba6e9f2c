import { z } from "zod";
import { ConfigurationError } from "../../core/errors.js";

const HOST_PORT = /^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/;

/** The zod schema of the Ensign config. */
export const ensignConfigSchema = z
  .object({
    backend: z.literal("ensign"),
    /** gRPC endpoint `host:port`; ENSIGN_ENDPOINT or Ensign's public endpoint when absent. */
    endpoint: z.string().regex(HOST_PORT, 'endpoint must be "host:port"').optional(),
    /** Plaintext gRPC, for local servers. */
    insecure: z.boolean().optional(),
    /** Base URL of the Quarterdeck auth service; ENSIGN_AUTH_URL or https://auth.rotational.app when absent. */
    authUrl: z.url({ protocol: /^https?$/ }).optional(),
    clientId: z.string().min(1).optional(),
    clientSecret: z.string().min(1).optional(),
    /** A JSON file `{"ClientID": "...", "ClientSecret": "..."}` as downloaded from Ensign. */
    credentialsPath: z.string().min(1).optional(),
    /**
     * "none" (default): expected revisions other than "any" are refused. "single-writer": they
     * are checked against this process's own view of the stream — correct only while this
     * process is the only writer of the stream.
     */
    consistency: z.enum(["none", "single-writer"]).optional(),
    /** Put every stream in this one topic (then `$all` is that topic, in its order). */
    topic: z.string().regex(/^[a-zA-Z][a-zA-Z0-9._-]*$/, "topic must match ^[a-zA-Z][a-zA-Z0-9._-]*$").max(512).optional(),
    /** Maps a stream to its topic; by default the stream's category (the part before the first "-"). */
    topicFor: z.custom<(stream: string) => string>((v) => typeof v === "function", "topicFor must be a function").optional(),
    /** Most events awaiting their ack on the publish stream at once. */
    publishWindow: z.number().int().positive().max(100_000).optional(),
    /** Reconnect policy for publish and subscribe streams. */
    reconnect: z
      .object({
        maxAttempts: z.number().int().positive().optional(),
        initialDelayMs: z.number().int().nonnegative().optional(),
        maxDelayMs: z.number().int().positive().optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((c) => !(c.topic !== undefined && c.topicFor !== undefined), {
    message: "give either topic or topicFor, not both",
  });

/** The Ensign backend's config, as `connect()` validates it. */
export type EnsignConfig = z.infer<typeof ensignConfigSchema>;

const URL_OPTIONS = ["insecure", "authUrl", "consistency", "topic", "credentialsPath", "clientId", "clientSecret", "publishWindow"];

/**
 * `ensign://host:port?insecure=true&authUrl=http://127.0.0.1:8088&consistency=single-writer`.
 * Credentials come from clientId/clientSecret, credentialsPath, or ENSIGN_CLIENT_ID/_SECRET.
 */
export function ensignConfigFromUrl(url: URL): EnsignConfig {
  if (url.username || url.password) {
    throw new ConfigurationError("ensign: put credentials in clientId/clientSecret options or the environment, not in the URL's user part");
  }
  if (url.pathname !== "" && url.pathname !== "/") {
    throw new ConfigurationError(`ensign: a URL takes no path, got "${url.pathname}" (expected ensign://host:port?options)`);
  }
  const config: Record<string, unknown> = { backend: "ensign" };
  if (url.host !== "") {
    if (url.port === "") throw new ConfigurationError(`ensign: the URL needs a port, e.g. ensign://${url.hostname}:5356`);
    config.endpoint = `${url.hostname}:${url.port}`;
  }
  for (const [key, value] of url.searchParams) {
    switch (key) {
      case "insecure":
        config.insecure = parseBoolean(key, value);
        break;
      case "publishWindow": {
        const n = Number(value);
        if (!Number.isSafeInteger(n) || n <= 0) throw new ConfigurationError(`ensign: publishWindow must be a positive integer, got "${value}"`);
        config.publishWindow = n;
        break;
      }
      case "consistency":
        if (value !== "none" && value !== "single-writer") {
          throw new ConfigurationError(`ensign: consistency must be "none" or "single-writer", got "${value}"`);
        }
        config.consistency = value;
        break;
      case "authUrl":
      case "topic":
      case "credentialsPath":
      case "clientId":
      case "clientSecret":
        config[key] = value;
        break;
      default:
        throw new ConfigurationError(`ensign: unknown option "${key}" (expected: ${URL_OPTIONS.join(", ")})`);
    }
  }
  const parsed = ensignConfigSchema.safeParse(config);
  if (!parsed.success) {
    // Never echo values: clientSecret may be among them.
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(url)"}: ${i.message}`).join("; ");
    throw new ConfigurationError(`ensign: invalid URL options: ${issues}`);
  }
  return parsed.data;
}

function parseBoolean(key: string, value: string): boolean {
  const v = value.toLowerCase();
  if (["1", "true", "t", "yes", "y", "on"].includes(v)) return true;
  if (["0", "false", "f", "no", "n", "off"].includes(v)) return false;
  throw new ConfigurationError(`ensign: ${key} must be true or false, got "${value}"`);
}
