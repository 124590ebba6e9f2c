import { ensignBackend } from "./adapters/ensign/backend.js";
import type { EnsignConfig } from "./adapters/ensign/config.js";
import { eventStoreDBBackend } from "./adapters/eventstoredb/backend.js";
import type { EventStoreDBConfig } from "./adapters/eventstoredb/config.js";
import { memoryBackend } from "./adapters/memory/backend.js";
import type { MemoryConfig } from "./adapters/memory/config.js";
import { natsBackend } from "./adapters/nats/backend.js";
import type { NatsConfig } from "./adapters/nats/config.js";
import { postgresBackend } from "./adapters/postgres/backend.js";
import type { PostgresConfig } from "./adapters/postgres/config.js";
import { sqliteBackend } from "./adapters/sqlite/backend.js";
import type { SqliteConfig } from "./adapters/sqlite/config.js";
import type { BackendDescriptor } from "./core/backend.js";
import { openBackend, parseBackendTarget, type BackendConfig } from "./core/backend-registry.js";
import { ConfigurationError } from "./core/errors.js";
import type { EventStream } from "./core/event-stream.js";
import type { Logger } from "./core/observability/logger.js";
import { attachObservability } from "./core/observability/observability.js";
import { createTracing, toOtelTracing, type Tracing, type TracingOptions } from "./core/observability/tracing.js";

/** Config for any built-in backend; each adapter's `config.ts` defines its own shape. */
export type ConnectConfig = MemoryConfig | EventStoreDBConfig | EnsignConfig | PostgresConfig | SqliteConfig | NatsConfig;

/**
 * The built-in backends. Descriptors import zod only, never a driver: the adapter is loaded when
 * a URL or config chooses it.
 */
export const builtInBackends: readonly BackendDescriptor<ConnectConfig>[] = [
  memoryBackend as BackendDescriptor<ConnectConfig>,
  eventStoreDBBackend as BackendDescriptor<ConnectConfig>,
  ensignBackend as BackendDescriptor<ConnectConfig>,
  postgresBackend as BackendDescriptor<ConnectConfig>,
  sqliteBackend as BackendDescriptor<ConnectConfig>,
  natsBackend as BackendDescriptor<ConnectConfig>,
];

/** Options of `connect()`: further backends, tracing and a logger. */
export interface ConnectOptions<TConfig extends BackendConfig = BackendConfig> {
  /**
   * Further backends, such as a third-party adapter's descriptor: they are tried before the
   * built-in ones, so one may also replace a built-in scheme.
   */
  readonly backends?: readonly BackendDescriptor<TConfig>[];
  /**
   * Traces appends, reads, subscription deliveries, command handling and projection batches
   * through OpenTelemetry: `true` for the global tracer provider, `{ tracerProvider }` for another,
   * or what `createTracing()` resolved to. `@opentelemetry/api` is loaded only when this is set.
   */
  readonly tracing?: boolean | TracingOptions | Tracing;
  /** Where the library's notices (reconnects, warnings) go, with stable codes; silent by default. */
  readonly logger?: Logger;
}

/**
 * Opens an EventStream from a URL (`memory:`, `esdb://host:2113?tls=false`, `ensign://…`,
 * `postgres://user@host/db?schema=…`, `sqlite:./events.db`,
 * `nats://host:4222,host2:4222?stream=…`, or a
 * scheme of a backend in `options.backends`) or a config object. The adapter is imported only
 * when chosen.
 */
export async function connect<TConfig extends BackendConfig = ConnectConfig>(
  target: string | URL | ConnectConfig | TConfig,
  options: ConnectOptions<TConfig> = {},
): Promise<EventStream> {
  const { tracing, logger } = options;
  if (logger !== undefined && typeof logger?.log !== "function") throw new ConfigurationError("logger must have a log(record) method");
  // Loaded before the backend opens, so a missing @opentelemetry/api leaves nothing open behind it.
  const otel = tracing === undefined || tracing === false ? undefined : toOtelTracing(await resolveTracing(tracing));
  const eventStream = await openBackend(backendsOf(options), target);
  if ((otel || logger) && !attachObservability(eventStream, { tracing: otel, logger })) {
    await eventStream.close();
    throw new ConfigurationError("tracing and logger need a backend built on core's runtime (EventStreamRuntime)");
  }
  return eventStream;
}

function resolveTracing(tracing: true | TracingOptions | Tracing): Promise<Tracing> | Tracing {
  if (tracing === true) return createTracing();
  if (typeof tracing !== "object" || tracing === null) throw new ConfigurationError("tracing must be true, { tracerProvider } or what createTracing() resolved to");
  return "scope" in tracing ? tracing : createTracing(tracing);
}

/** Validates a URL or config object into a typed config, without loading any adapter. */
export function parseConnectTarget<TConfig extends BackendConfig = ConnectConfig>(
  target: string | URL | ConnectConfig | TConfig,
  options: ConnectOptions<TConfig> = {},
): ConnectConfig | TConfig {
  return parseBackendTarget(backendsOf(options), target) as ConnectConfig | TConfig;
}

/**
 * Types a third-party backend's descriptor (its schemes, config schema, URL parser and lazy
 * loader) for `connect(url, { backends: [descriptor] })`.
 */
export function defineBackend<TConfig extends BackendConfig>(descriptor: BackendDescriptor<TConfig>): BackendDescriptor<TConfig> {
  return descriptor;
}

// Each descriptor only ever reads configs carrying its own name, so the list can be widened.
function backendsOf<TConfig extends BackendConfig>(options: ConnectOptions<TConfig>): readonly BackendDescriptor<BackendConfig>[] {
  const builtIn = builtInBackends as readonly BackendDescriptor<BackendConfig>[];
  const extra = (options.backends ?? []) as readonly BackendDescriptor<TConfig>[] as readonly unknown[] as readonly BackendDescriptor<BackendConfig>[];
  return extra.length === 0 ? builtIn : [...extra, ...builtIn];
}
