/** What every server started from `switchyard-events/servers` offers. */
export interface RunningServer {
  /** The URL to hand to `connect()` of this package (credentials included where needed). */
  readonly url: string;
  /** The port the server listens on (kept across `stop()`/`restart()`). */
  readonly port: number;
  /** Stops abruptly, as a crashed server would: open calls fail; data is kept for `restart()`. */
  stop(): Promise<void>;
  /** Starts again on the same port with the same data (stops first if it is running). */
  restart(): Promise<void>;
  /** Stops for good: calls in progress may finish first; releases the data directory. */
  close(): Promise<void>;
}

/** Options both servers take. */
export interface ServerOptions {
  /** Port to listen on at 127.0.0.1; 0 (the default) picks a free one. */
  readonly port?: number;
  /**
   * Keeps the data in this directory (created if missing), so a server started later on it,
   * in this process or another, has the data of the last one. Default: memory only.
   */
  readonly dataDir?: string;
}

export interface EventStoreDBServerOptions extends ServerOptions {
  /**
   * Serve TLS with a certificate for 127.0.0.1/localhost from a throwaway CA (made with the
   * `openssl` command at start), and require credentials, as a secure EventStoreDB does.
   * Default false: insecure mode (h2c, no authentication), like `--insecure`.
   */
  readonly tls?: boolean;
  /** Users for TLS mode, name to password. Default: `{ admin: "changeit" }`, the server's. */
  readonly credentials?: Readonly<Record<string, string>>;
  /**
   * Which projections run, as the server's `--run-projections`: "none" (the default, as the real
   * server: no Projections service at all), "system" (the system projections `$by_category`,
   * `$by_event_type`, `$streams`, `$stream_by_category`, `$by_correlation_id`) or "all" (the same
   * here: user-defined JavaScript projections are refused in every mode).
   */
  readonly runProjections?: "none" | "system" | "all";
  /** Enable the system projections at start, as `--start-standard-projections`. Default false. */
  readonly startStandardProjections?: boolean;
}

export interface EventStoreDBServer extends RunningServer {
  /** For the official client: `EventStoreDBClient.connectionString(server.connectionString)`. */
  readonly connectionString: string;
  /** The CA certificate's file in TLS mode (the connection strings name it as tlsCAFile). */
  readonly caFile: string | undefined;
}

export interface EnsignServerOptions extends ServerOptions {
  /** Port of the Quarterdeck-style auth endpoints (HTTP); 0 (the default) picks a free one. */
  readonly authPort?: number;
  /**
   * The API key clients log in with. Default: a random one (or, with `dataDir`, the one saved
   * there by an earlier server).
   */
  readonly credentials?: { readonly clientId: string; readonly clientSecret: string };
}

export interface EnsignServer extends RunningServer {
  /** gRPC endpoint `127.0.0.1:PORT` (plaintext), for Ensign's own clients. */
  readonly endpoint: string;
  /** Base URL of the auth endpoints, `http://127.0.0.1:AUTHPORT`, for Ensign's own clients. */
  readonly authUrl: string;
  /** The API key's id and secret. */
  readonly clientId: string;
  readonly clientSecret: string;
  /** The project the API key belongs to (ULID text). */
  readonly projectId: string;
}

/** One node of {@link EventStoreDBCluster}. */
export interface EventStoreDBClusterNode {
  readonly port: number;
  /** This node alone (no discovery), for `connect()` and the official client. */
  readonly url: string;
  /** "leader" or "follower", as gossip reports it now. */
  readonly state: "leader" | "follower";
  /** False after `stop()`: gossip then reports the node dead (no election follows). */
  readonly running: boolean;
  /** Stops abruptly, as a crash. */
  stop(): Promise<void>;
  /** Starts again on the same port. */
  restart(): Promise<void>;
}

/**
 * Three EventStoreDB-compatible nodes in this process over one shared log, node 0 the leader at
 * start, with test hooks for leader changes. See docs/servers.md, "Three-node mode".
 */
export interface EventStoreDBCluster {
  /** The three nodes as gossip seeds: `esdb://127.0.0.1:P0,127.0.0.1:P1,127.0.0.1:P2?tls=false`. */
  readonly url: string;
  /** The same, for `EventStoreDBClient.connectionString(…)`. */
  readonly connectionString: string;
  readonly nodes: readonly EventStoreDBClusterNode[];
  /** Index of the current leader in `nodes`. */
  readonly leader: number;
  /** Appends written to the log whose acknowledgement is held by `holdAcknowledgements()`. */
  readonly unacknowledged: number;
  /**
   * Moves leadership to node `index` (default: the next one). Held appends fail as on the real
   * server when the old leader gives them up (their outcome unknown to the client, though the log
   * keeps them), persistent subscription connections are dropped, and the holding stops.
   */
  electLeader(index?: number): void;
  /** From now on appends are written to the log but not acknowledged, so they stay in flight. */
  holdAcknowledgements(): void;
  /** Acknowledges the held appends and stops holding. */
  releaseAcknowledgements(): void;
  /** Stops the three nodes for good. */
  close(): Promise<void>;
}
