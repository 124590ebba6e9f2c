/**
 * Our EventStoreDB- and Ensign-compatible servers, for development and tests (not production):
 * the official clients and this package's adapters talk to them over real gRPC on 127.0.0.1.
 * See docs/servers.md for what each reproduces and what it does not.
 *
 * This entry loads nothing heavy: each server's code and its libraries (@grpc/grpc-js,
 * @eventstore/db-client, protobufjs, optional peers of this package) load when it is started.
 */
import { ConfigurationError } from "../core/errors.js";
import type {
  EnsignServer,
  EnsignServerOptions,
  EventStoreDBCluster,
  EventStoreDBServer,
  EventStoreDBServerOptions,
} from "./types.js";

export type {
  EnsignServer,
  EnsignServerOptions,
  EventStoreDBCluster,
  EventStoreDBClusterNode,
  EventStoreDBServer,
  EventStoreDBServerOptions,
  RunningServer,
  ServerOptions,
} from "./types.js";

/** How long a graceful close lets calls in progress finish before cancelling them. */
const CLOSE_GRACE_MS = 1_000;

/**
 * Starts an EventStoreDB-compatible server (needs @grpc/grpc-js and @eventstore/db-client).
 *
 * ```ts
 * const server = await startEventStoreDBServer();
 * const store = await connect(server.url);                                   // this package
 * const client = EventStoreDBClient.connectionString(server.connectionString); // official client
 * ```
 */
export async function startEventStoreDBServer(options: EventStoreDBServerOptions = {}): Promise<EventStoreDBServer> {
  const runProjections = options.runProjections ?? "none";
  if (!["none", "system", "all"].includes(runProjections)) {
    throw new ConfigurationError(`runProjections must be "none", "system" or "all", not ${JSON.stringify(runProjections)}`);
  }
  const { startEventStoreEmulator, DEFAULT_USERS } = await import("./eventstoredb/index.js");
  const users = options.credentials ?? DEFAULT_USERS;
  const server = await startEventStoreEmulator({
    port: options.port,
    tls: options.tls,
    users,
    dataDir: options.dataDir,
    runProjections,
    startStandardProjections: options.startStandardProjections === true,
  });
  const [user, password] = Object.entries(users)[0] ?? [];
  const withUser =
    options.tls === true && user !== undefined && password !== undefined
      ? server.connectionString.replace("esdb://", `esdb://${encodeURIComponent(user)}:${encodeURIComponent(password)}@`)
      : server.connectionString;
  return {
    url: withUser,
    connectionString: withUser,
    port: server.port,
    caFile: server.caFile,
    stop: () => server.stop(),
    restart: () => server.restart(),
    close: () => server.close({ graceMs: CLOSE_GRACE_MS }),
  };
}

/**
 * Starts three EventStoreDB-compatible nodes over one shared log (insecure mode, memory only),
 * for testing cluster discovery, node preferences and leader changes:
 *
 * ```ts
 * const cluster = await startEventStoreDBCluster();
 * const store = await connect(cluster.url);   // discovers the leader through gossip
 * cluster.electLeader();                      // node 1 leads now; writes are redirected there
 * ```
 */
export async function startEventStoreDBCluster(): Promise<EventStoreDBCluster> {
  const { startEventStoreCluster } = await import("./eventstoredb/cluster.js");
  const cluster = await startEventStoreCluster();
  return {
    url: cluster.connectionString,
    connectionString: cluster.connectionString,
    nodes: cluster.nodes.map((node) => ({
      port: node.port,
      url: node.connectionString,
      get state() {
        return node.state;
      },
      get running() {
        return node.running;
      },
      stop: () => node.stop(),
      restart: () => node.restart(),
    })),
    get leader() {
      return cluster.leader;
    },
    get unacknowledged() {
      return cluster.unacknowledged;
    },
    electLeader: (index) => cluster.electLeader(index),
    holdAcknowledgements: () => cluster.holdAcknowledgements(),
    releaseAcknowledgements: () => cluster.releaseAcknowledgements(),
    close: () => cluster.close(),
  };
}

/**
 * Starts an Ensign-compatible server with its auth endpoints (needs @grpc/grpc-js and
 * protobufjs). `url` carries the API key, so `connect(server.url)` logs in by itself.
 */
export async function startEnsignServer(options: EnsignServerOptions = {}): Promise<EnsignServer> {
  const { startEnsignServer: start } = await import("./ensign/index.js");
  const server = await start({
    port: options.port,
    authPort: options.authPort,
    dataDir: options.dataDir,
    clients: options.credentials === undefined ? undefined : [{ ...options.credentials }],
  });
  const query = new URLSearchParams({
    insecure: "true",
    authUrl: server.authUrl,
    clientId: server.clientId,
    clientSecret: server.clientSecret,
  });
  return {
    url: `ensign://${server.endpoint}?${query.toString()}`,
    port: server.port,
    endpoint: server.endpoint,
    authUrl: server.authUrl,
    clientId: server.clientId,
    clientSecret: server.clientSecret,
    projectId: server.projectId,
    stop: () => server.stop(),
    restart: () => server.restart(),
    close: () => server.close(),
  };
}
