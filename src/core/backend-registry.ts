import type { BackendDescriptor } from "./backend.js";
import { ConfigurationError } from "./errors.js";
import type { EventStream } from "./event-stream.js";
import { importPeerDependent } from "./peer-dependencies.js";
import { redactUrl } from "./redact.js";
import { withoutSecrets } from "./safe-cause.js";
import { secretsIn } from "./secrets.js";

/** A config object of some backend: its `backend` names the descriptor that reads it. */
export interface BackendConfig {
  readonly backend: string;
}

// Descriptors differ in their config type; the registry only hands each its own.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDescriptor = BackendDescriptor<any>;

/**
 * Opens an EventStream from a URL or a config object with the first of `backends` that knows
 * its scheme or name. The adapter is imported only when chosen. Used by `connect()`, which adds
 * the built-in backends; core itself knows no adapter.
 */
export async function openBackend(backends: readonly AnyDescriptor[], target: string | URL | BackendConfig): Promise<EventStream> {
  const config = parseBackendTarget(backends, target);
  const backend = backends.find((b) => b.name === config.backend)!;
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
export function parseBackendTarget(backends: readonly AnyDescriptor[], target: string | URL | BackendConfig): BackendConfig {
  try {
    return parseTarget(backends, target);
  } catch (error) {
    throw withoutSecrets(error, secretsIn(target), "Invalid connection settings");
  }
}

function parseTarget(backends: readonly AnyDescriptor[], target: string | URL | BackendConfig): BackendConfig {
  if (typeof target === "string" || target instanceof URL) return configFromUrl(backends, String(target));
  if (typeof target !== "object" || target === null) {
    throw new ConfigurationError(`connect() expects a URL string or a config object, got ${target === null ? "null" : typeof target}`);
  }
  const name = (target as { backend?: unknown }).backend;
  const backend = backends.find((b) => b.name === name);
  if (!backend) {
    throw new ConfigurationError(
      `Unknown backend ${JSON.stringify(name) ?? "undefined"}: expected one of ${backends.map((b) => `"${b.name}"`).join(", ")}`,
    );
  }
  const parsed = backend.configSchema.safeParse(target);
  if (!parsed.success) {
    throw new ConfigurationError(`Invalid ${backend.name} config: ${describeIssues(parsed.error.issues)}`);
  }
  return parsed.data as BackendConfig;
}

const SCHEME = /^\s*([A-Za-z][A-Za-z0-9+.-]*:)/;

function configFromUrl(backends: readonly AnyDescriptor[], text: string): BackendConfig {
  const expected = backends.flatMap((b) => b.schemes.map((s) => `${s}…`)).join(", ");
  const scheme = SCHEME.exec(text)?.[1]?.toLowerCase();
  const backend = backends.find((b) => scheme !== undefined && b.schemes.includes(scheme));
  if (scheme !== undefined && !backend) {
    throw new ConfigurationError(`Unknown scheme "${scheme}" in "${redactUrl(text)}": expected one of ${expected}`);
  }
  if (!backend) throw new ConfigurationError(`Malformed connection URL "${redactUrl(text)}": expected one of ${expected}`);
  let config: BackendConfig;
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
  return parsed.data as BackendConfig;
}

// zod messages name the field and the rule, never the value.
function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues.map((i) => `${i.path.map(String).join(".") || "(config)"}: ${i.message}`).join("; ");
}
