// The emulator process-in-a-process: one @grpc/grpc-js Server serving the service definitions
// shipped in @eventstore/db-client over a shared in-memory store. `stop()` is a forced shutdown,
// as a crash (connections dropped); `shutdown()` is the graceful one (calls still open after the
// grace period end with CANCELLED). Restarting binds the same port again and keeps the data.
import { randomUUID } from "node:crypto";
import type { Server as HttpServer } from "node:http";
import type { AddressInfo, Server as NetServer, Socket } from "node:net";
import { Server, ServerCredentials, type ServiceDefinition, type UntypedServiceImplementation } from "@grpc/grpc-js";
import { basicAuthenticator, insecureAuthenticator, type Authenticator, type Users } from "./auth.js";
import { serverFeaturesHandler } from "./features.js";
import { persistentOnFollowers } from "./follower-gate.js";
import { gossipHandlers } from "./gossip.js";
import { singleNodeRole, type NodeRole } from "./node-role.js";
import { featuresGrpc, gossipGrpc, persistentGrpc, projectionsGrpc, streamsGrpc } from "./proto.js";
import { ProjectionManager, type RunProjections } from "./projections/manager.js";
import { projectionHandlers } from "./projections/service.js";
import { PersistentSubscriptions, persistentSubscriptionHandlers } from "./persistent-service.js";
import { Journal } from "./journal.js";
import { OpenCalls } from "./calls.js";
import { certificateInterceptor } from "./client-certificates.js";
import { frontDoor } from "./front-door.js";
import { legacyHttpServer } from "./legacy-http.js";
import { EventStore } from "./store.js";
import { streamsReadHandler } from "./streams-read.js";
import { streamsWriteHandlers } from "./streams-write.js";
import type { Certificates } from "./tls.js";

export interface EmulatorServerOptions {
  readonly port: number;
  readonly certificates?: Certificates;
  readonly users?: Users;
  /** Where the log is kept across processes; in memory only when absent. */
  readonly dataDir?: string;
  /** Which projections run (the server's `--run-projections`); default "none", the real default. */
  readonly runProjections?: RunProjections;
  /** Enable the system projections at start (`--start-standard-projections`); default false. */
  readonly startStandardProjections?: boolean;
  /**
   * A node of the three-node mode: its role in the cluster and the state the nodes share (one
   * log, one set of persistent subscription groups). Absent: a single node owning its state.
   */
  readonly cluster?: ClusterMembership;
}

/** What a cluster node shares with the others, and its role among them. */
export interface ClusterMembership {
  readonly role: NodeRole;
  readonly store: EventStore;
  readonly persistent: PersistentSubscriptions;
}

interface Running {
  readonly grpc: Server;
  readonly front: NetServer;
  readonly http1: HttpServer;
  /** Every accepted connection, gRPC or HTTP/1.1, so a forced stop can drop them all. */
  readonly sockets: Set<Socket>;
  closing: boolean;
}

const MAX_MESSAGE_BYTES = 32 * 1024 * 1024;
/** How long cancelled calls get to flush their trailers before the connections are dropped. */
const FLUSH_MS = 500;

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class EmulatorServer {
  readonly store: EventStore;
  readonly persistent: PersistentSubscriptions;
  readonly projections: ProjectionManager;
  readonly #journal: Journal | undefined;
  readonly #auth: Authenticator;
  readonly #options: EmulatorServerOptions;
  readonly #instanceId = randomUUID();
  readonly #calls = new OpenCalls();
  readonly #role: NodeRole;
  /** A cluster node leaves the shared log and groups alone when it stops. */
  readonly #ownsState: boolean;
  #running: Running | undefined;
  #port: number;

  constructor(options: EmulatorServerOptions) {
    this.#options = options;
    this.#port = options.port;
    this.#journal = options.dataDir === undefined || options.cluster !== undefined ? undefined : new Journal(options.dataDir);
    this.store = options.cluster?.store ?? new EventStore(this.#journal);
    this.persistent = options.cluster?.persistent ?? new PersistentSubscriptions(this.store);
    this.#ownsState = options.cluster === undefined;
    this.#role =
      options.cluster?.role ??
      singleNodeRole(() => ({ instanceId: this.#instanceId, state: "leader", alive: true, host: "127.0.0.1", port: this.#port }));
    this.projections = new ProjectionManager(this.store, {
      runProjections: options.runProjections ?? "none",
      startStandardProjections: options.startStandardProjections ?? false,
    });
    this.#auth = options.certificates === undefined ? insecureAuthenticator : basicAuthenticator(options.users ?? {});
  }

  get port(): number {
    return this.#port;
  }

  /** Calls received since the start whose method path starts with `prefix` (e.g. "/event_store.client.streams."). */
  callsServed(prefix = "/"): number {
    let count = 0;
    for (const [path, calls] of this.#calls.served) if (path.startsWith(prefix)) count += calls;
    return count;
  }

  /** This node's role: a single node is always the leader. */
  get role(): NodeRole {
    return this.#role;
  }

  get running(): boolean {
    return this.#running !== undefined;
  }

  async start(): Promise<number> {
    if (this.#running !== undefined) return this.#port;
    const server = new Server({
      "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
      "grpc.max_send_message_length": MAX_MESSAGE_BYTES,
      interceptors: [this.#calls.interceptor, certificateInterceptor],
    });
    const services: ServiceDefinition[] = [
      streamsGrpc.StreamsService,
      persistentGrpc.PersistentSubscriptionsService,
      featuresGrpc.ServerFeaturesService,
      gossipGrpc.GossipService,
    ];
    // Without projections the server does not load the subsystem: the service is not mapped at all.
    if (this.projections.active) {
      services.push(projectionsGrpc.ProjectionsService);
      server.addService(
        projectionsGrpc.ProjectionsService,
        projectionHandlers(this.projections, this.#auth) satisfies UntypedServiceImplementation,
      );
    }
    const write = streamsWriteHandlers(this.store, this.#auth, this.#role);
    server.addService(streamsGrpc.StreamsService, {
      read: streamsReadHandler(this.store, this.#auth, this.#role),
      append: write.append,
      batchAppend: write.batchAppend,
      delete: write.delete,
      tombstone: write.tombstone,
    } satisfies UntypedServiceImplementation);
    server.addService(
      persistentGrpc.PersistentSubscriptionsService,
      persistentOnFollowers(this.#role, persistentSubscriptionHandlers(this.persistent, this.#auth) satisfies UntypedServiceImplementation),
    );
    server.addService(featuresGrpc.ServerFeaturesService, serverFeaturesHandler(() => services));
    server.addService(gossipGrpc.GossipService, gossipHandlers(() => this.#role.members()));
    const { certificates } = this.#options;
    // TLS, when on, is ended by the front door, which hands decrypted HTTP/2 to gRPC.
    const injector = server.createConnectionInjector(ServerCredentials.createInsecure());
    const http1 = legacyHttpServer({
      state: () => this.#role.state,
      projections: this.projections.active,
      secure: certificates !== undefined,
      ready: () => this.#running?.closing === false,
    });
    const sockets = new Set<Socket>();
    const front = frontDoor({ grpc: (socket) => injector.injectConnection(socket), http1 }, certificates);
    front.on("connection", (socket: Socket) => {
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
    });
    front.on("secureConnection", (socket: Socket) => {
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
    });
    this.#port = await new Promise<number>((resolve, reject) => {
      front.once("error", reject);
      front.listen(this.#port, "127.0.0.1", () => {
        front.off("error", reject);
        resolve((front.address() as AddressInfo).port);
      });
    });
    this.#running = { grpc: server, front, http1, sockets, closing: false };
    return this.#port;
  }

  /**
   * Forced shutdown, as a crash: every connection is dropped at once. Resolves when the
   * connections are closed, so a client in this process has seen its connection go before a
   * restart (it would otherwise reuse the dying one).
   */
  stop(): Promise<void> {
    const running = this.#running;
    this.#running = undefined;
    if (running === undefined) return Promise.resolve();
    const closed = Promise.all(
      [...running.sockets].map((socket) => new Promise<void>((resolve) => (socket.closed ? resolve() : socket.once("close", () => resolve())))),
    );
    running.front.close();
    running.grpc.forceShutdown();
    running.http1.closeAllConnections();
    // gRPC's own shutdown has just queued its GOAWAYs; what is left (a connection not yet
    // routed, a TLS handshake) is dropped once they are written.
    setImmediate(() => {
      for (const socket of running.sockets) socket.destroy();
    });
    if (this.#ownsState) {
      this.store.detachListeners();
      this.persistent.disconnectAll();
    }
    return Promise.race([closed.then(() => undefined), delay(FLUSH_MS)]);
  }

  /**
   * Graceful shutdown: no new connections or calls; calls in progress may finish within
   * `graceMs`, then the ones still open (subscriptions, a client's BatchAppend stream, an
   * unfinished append) end with CANCELLED, their trailers are flushed, and the server stops.
   */
  async shutdown(graceMs: number): Promise<void> {
    const running = this.#running;
    if (running === undefined) return;
    running.closing = true;
    running.front.close();
    running.http1.closeIdleConnections();
    const closed = new Promise<void>((resolve) => running.grpc.tryShutdown(() => resolve()));
    await Promise.race([closed, delay(Math.max(0, graceMs))]);
    this.#calls.cancelAll("The server is shutting down");
    await Promise.race([closed, delay(FLUSH_MS)]);
    await this.stop();
  }

  /** Releases the data directory's files; call after stopping, the server cannot start again. */
  dispose(): void {
    void this.stop();
    this.#journal?.close();
  }
}
