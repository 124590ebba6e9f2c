import type { Credentials, EventStoreDBClient } from "@eventstore/db-client";
import { CodecRegistry } from "../../core/codec.js";
import { ConfigurationError } from "../../core/errors.js";
import { EventStreamRuntime } from "../../core/runtime.js";
import { createClientFromConfig, credentialsOf } from "./client.js";
import { eventStoreDBConfigSchema, type EventStoreDBConfig } from "./config.js";
import { EventStoreDBDriver, type EventStoreDBConnection } from "./eventstoredb-driver.js";

/** Options of `createEventStoreDBEventStream`. */
export interface EventStoreDBEventStreamOptions {
  /** A client the caller built. It is not disposed by close() unless `disposeClient` is true. */
  client?: EventStoreDBClient;
  disposeClient?: boolean;
  /** Or a config (as `connect()` takes it) from which the adapter builds and owns its client. */
  config?: Omit<EventStoreDBConfig, "backend"> & { backend?: "eventstoredb" };
  /**
   * Credentials the injected client was built with (only needed with `client`): appends then use
   * the classic Append call instead of the client's BatchAppend (see docs/eventstoredb.md).
   */
  credentials?: Credentials;
  /** The server's MaxAppendSize, if not the default 1 MiB. */
  maxAppendBytes?: number;
  /**
   * Follow categories through `$ce-` streams when the server's `$by_category` projection runs
   * (default false: the `$all` stream-prefix filter). With `config`, `config.categoryStreams` also works.
   */
  categoryStreams?: boolean;
  /** Codecs for content types beyond json, octet-stream and text. */
  codecs?: CodecRegistry;
}

/** For connect(): the validated config becomes an adapter owning its client. */
export function createEventStoreDBEventStreamFromConfig(config: EventStoreDBConfig): EventStoreDBEventStream {
  return new EventStoreDBEventStream({ config });
}

/** Opens the EventStoreDB adapter over a config or an injected `EventStoreDBClient`. */
export function createEventStoreDBEventStream(options: EventStoreDBEventStreamOptions): EventStoreDBEventStream {
  return new EventStoreDBEventStream(options);
}

/** The EventStoreDB driver under core's runtime, with the official client at hand. */
export class EventStoreDBEventStream extends EventStreamRuntime<EventStoreDBDriver> {
  constructor(options: EventStoreDBEventStreamOptions) {
    const codecs = options.codecs ?? new CodecRegistry();
    super(new EventStoreDBDriver(openConnection(options), codecs), { codecs });
  }

  /** The underlying official client, for what the port does not cover (projections, ACLs). */
  get client(): EventStoreDBClient {
    return this.driver.client;
  }
}

function openConnection(options: EventStoreDBEventStreamOptions): EventStoreDBConnection {
  if (options.client) {
    if (options.config) throw new ConfigurationError("Give either client or config, not both");
    return {
      client: options.client,
      ownsClient: options.disposeClient ?? false,
      appendCall: options.credentials ? { credentials: options.credentials } : {},
      maxAppendBytes: options.maxAppendBytes,
      categoryStreams: options.categoryStreams ?? false,
      // The client's node preference is not visible from outside: it decides where writes go.
      writesRequireLeader: false,
    };
  }
  const parsed = eventStoreDBConfigSchema.safeParse({ backend: "eventstoredb", ...options.config });
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(config)"}: ${i.message}`).join("; ");
    throw new ConfigurationError(`Invalid EventStoreDB config: ${issues}`);
  }
  const config = parsed.data;
  // Per-call credentials make the client use the classic Append RPC rather than BatchAppend,
  // whose pending-append map is shared by every client in the process (6.2.1): a failure
  // on one client's batch stream would reject, and later crash, other clients' appends.
  // On an insecure channel the client ignores the credentials (no header is sent).
  const credentials = credentialsOf(config) ?? (config.tls === false ? { username: "", password: "" } : undefined);
  return {
    client: createClientFromConfig(config),
    ownsClient: true,
    appendCall: credentials ? { credentials } : {},
    maxAppendBytes: options.maxAppendBytes ?? config.maxAppendBytes,
    categoryStreams: options.categoryStreams ?? config.categoryStreams ?? false,
    writesRequireLeader: (config.nodePreference ?? "leader") === "leader",
  };
}
