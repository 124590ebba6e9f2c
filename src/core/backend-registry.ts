import { memoryBackend } from "../adapters/memory/backend.js";
import type { MemoryConfig } from "../adapters/memory/config.js";
import { eventStoreDBBackend } from "../adapters/eventstoredb/backend.js";
import type { EventStoreDBConfig } from "../adapters/eventstoredb/config.js";
import { ensignBackend } from "../adapters/ensign/backend.js";
import type { EnsignConfig } from "../adapters/ensign/config.js";
import type { BackendDescriptor } from "./backend.js";
import { ConfigurationError } from "./errors.js";
import type { EventStream } from "./event-stream.js";
import { importPeerDependent } from "./peer-dependencies.js";
import { redactUrl } from "./redact.js";
import { withoutSecrets } from "./safe-cause.js";
import { secretsIn } from "./secrets.js";

/** Config for any built-in backend; each adapter's `config.ts` defines its own shape. */
export type ConnectConfig = MemoryConfig | EventStoreDBConfig | EnsignConfig;

// The one list of built-in backends. Descriptors import zod only, never a driver.
const BACKENDS: readonly BackendDescriptor<ConnectConfig>[] = [
  memoryBackend as BackendDescriptor<ConnectConfig>,
  eventStoreDBBackend as BackendDescriptor<ConnectConfig>,
  ensignBackend as BackendDescriptor<ConnectConfig>,
];

/**
 * Opens an EventStream from a URL (`memory:`, `esdb://host:2113?tls=false`, `ensign://…`) or a
 * config object. The adapter is imported only when chosen.
 */
export async function connect(target: string | URL | ConnectConfig): Promise<EventStream> {
  const config = parseConnectTarget(target);
  const backend = BACKENDS.find((b) => b.name === config.backend)!;
  const create = await importPeerDependent(backend.name, backend.peerDependencies ?? [], () => backend.load());
  try {
    return await create(config);
  } catch (error) {
    throw withoutSecrets(error, secretsIn(target), `Cannot open the ${backend.name} backend`);
  }
}

/**
 * Validates a URL or config object into a typed config, without loading any adapter. Errors
 * carry no secret of the target: not in their message, cause chain or fields.
 */
export function parseConnectTarget(target: string | URL | ConnectConfig): ConnectConfig {
  try {
    return parseTarget(target);
  } catch (error) {
    throw withoutSecrets(error, secretsIn(target), "Invalid connection settings");
  }
}

function parseTarget(target: string | URL | ConnectConfig): ConnectConfig {
  if (typeof target === "string" || target instanceof URL) return configFromUrl(String(target));
  if (typeof target !== "object" || target === null) {
    throw new ConfigurationError(`connect() expects a URL string or a config object, got ${target === null ? "null" : typeof target}`);
  }
  const name = (target as { backend?: unknown }).backend;
  const backend = BACKENDS.find((b) => b.name === name);
  if (!backend) {
    throw new ConfigurationError(
      `Unknown backend ${JSON.stringify(name) ?? "undefined"}: expected one of ${BACKENDS.map((b) => `"${b.name}"`).join(", ")}`,
    );
  }
  const parsed = backend.configSchema.safeParse(target);
  if (!parsed.success) {
    throw new ConfigurationError(`Invalid ${backend.name} config: ${describeIssues(parsed.error.issues)}`);
  }
  return parsed.data;
}

const SCHEME = /^\s*([A-Za-z][A-Za-z0-9+.-]*:)/;

function configFromUrl(text: string): ConnectConfig {
  const expected = BACKENDS.flatMap((b) => b.schemes.map((s) => `${s}…`)).join(", ");
  const scheme = SCHEME.exec(text)?.[1]?.toLowerCase();
  const backend = BACKENDS.find((b) => scheme !== undefined && b.schemes.includes(scheme));
  if (scheme !== undefined && !backend) {
    throw new ConfigurationError(`Unknown scheme "${scheme}" in "${redactUrl(text)}": expected one of ${expected}`);
  }
  if (!backend) throw new ConfigurationError(`Malformed connection URL "${redactUrl(text)}": expected one of ${expected}`);
  let config: ConnectConfig;
  if (backend.fromConnectionString) {
    config = backend.fromConnectionString(text);
  } else {
    // No cause: Node's error would only repeat the text, password included, in its `input`.
    if (!URL.canParse(text)) throw new ConfigurationError(`Malformed connection URL "${redactUrl(text)}": expected one of ${expected}`);
    config = backend.fromUrl(new URL(text));
  }
  const parsed = backend.configSchema.safeParse(config);
  if (!parsed.success) {
    throw new ConfigurationError(`Invalid ${backend.name} URL "${redactUrl(text)}": ${describeIssues(parsed.error.issues)}`);
  }
  return parsed.data;
}

// zod messages name the field and the rule, never the value.
function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues.map((i) => `${i.path.map(String).join(".") || "(config)"}: ${i.message}`).join("; ");
}
