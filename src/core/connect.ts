import { memoryBackend } from "../adapters/memory/backend.js";
import type { MemoryConfig } from "../adapters/memory/config.js";
import { eventStoreDBBackend } from "../adapters/eventstoredb/backend.js";
import type { EventStoreDBConfig } from "../adapters/eventstoredb/config.js";
import { ensignBackend } from "../adapters/ensign/backend.js";
import type { EnsignConfig } from "../adapters/ensign/config.js";
import type { BackendDescriptor } from "./backend.js";
import { ConfigurationError, isSwitchyardError } from "./errors.js";
import type { EventStream } from "./event-stream.js";
import { redactUrl } from "./redact.js";

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
  const create = await backend.load();
  return create(config);
}

/** Validates a URL or config object into a typed config, without loading any adapter. */
export function parseConnectTarget(target: string | URL | ConnectConfig): ConnectConfig {
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
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(config)"}: ${i.message}`).join("; ");
    throw new ConfigurationError(`Invalid ${backend.name} config: ${issues}`);
  }
  return parsed.data;
}

function configFromUrl(text: string): ConnectConfig {
  const expected = BACKENDS.flatMap((b) => b.schemes.map((s) => `${s}…`)).join(", ");
  let url: URL;
  try {
    url = new URL(text);
  } catch (cause) {
    throw new ConfigurationError(`Malformed connection URL "${redactUrl(text)}": expected one of ${expected}`, { cause });
  }
  const backend = BACKENDS.find((b) => b.schemes.includes(url.protocol));
  if (!backend) {
    throw new ConfigurationError(`Unknown scheme "${url.protocol}" in "${redactUrl(text)}": expected one of ${expected}`);
  }
  try {
    return backend.configSchema.parse(backend.fromUrl(url));
  } catch (error) {
    if (isSwitchyardError(error)) throw error;
    throw new ConfigurationError(`Invalid ${backend.name} URL "${redactUrl(text)}"`, { cause: error });
  }
}
