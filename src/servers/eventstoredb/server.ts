// The emulator process-in-a-process: one @grpc/grpc-js Server serving the service definitions
// shipped in @eventstore/db-client over a shared in-memory store. `stop()` is a forced shutdown,
// as a crash (connections dropped); `shutdown()` is the graceful one (calls still open after the
// grace period end with CANCELLED). Restarting binds the same port again and keeps the data.
import { randomUUID } from "node:crypto";
import {
  Server,
  ServerCredentials,
  type ServiceDefinition,
  type ServerUnaryCall,
  type UntypedServiceImplementation,
  type sendUnaryData,
} from "@grpc/grpc-js";
import type { Empty } from "@eventstore/db-client/generated/shared_pb";
import type { ClusterInfo } from "@eventstore/db-client/generated/gossip_pb";
import { basicAuthenticator, insecureAuthenticator, type Authenticator, type Users } from "./auth.js";
import { serverFeaturesHandler } from "./features.js";
import { featuresGrpc, gossipGrpc, gossipPb, persistentGrpc, projectionsGrpc, streamsGrpc } from "./proto.js";
import { ProjectionManager, type RunProjections } from "./projections/manager.js";
import { projectionHandlers } from "./projections/service.js";
import { PersistentSubscriptions, persistentSubscriptionHandlers } from "./persistent-service.js";
import { Journal } from "./journal.js";
import { OpenCalls } from "./calls.js";
import { EventStore } from "./store.js";
import { streamsReadHandler } from "./streams-read.js";
import { streamsWriteHandlers } from "./streams-write.js";
import type { Certificates } from "./tls.js";
import { uuidMessage } from "./wire.js";

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
  #server: Server | undefined;
  #port: number;

  constructor(options: EmulatorServerOptions) {
    this.#options = options;
    this.#port = options.port;
    this.#journal = options.dataDir === undefined ? undefined : new Journal(options.dataDir);
    this.store = new EventStore(this.#journal);
    this.persistent = new PersistentSubscriptions(this.store);
    this.projections = new ProjectionManager(this.store, {
      runProjections: options.runProjections ?? "none",
      startStandardProjections: options.startStandardProjections ?? false,
    });
    this.#auth = options.certificates === undefined ? insecureAuthenticator : basicAuthenticator(options.users ?? {});
  }

  get port(): number {
    return this.#port;
  }

  get running(): boolean {
    return this.#server !== undefined;
  }

  async start(): Promise<number> {
    if (this.#server !== undefined) return this.#port;
    const server = new Server({
      "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
      "grpc.max_send_message_length": MAX_MESSAGE_BYTES,
      interceptors: [this.#calls.interceptor],
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
    const write = streamsWriteHandlers(this.store, this.#auth);
    server.addService(streamsGrpc.StreamsService, {
      read: streamsReadHandler(this.store, this.#auth),
      append: write.append,
      batchAppend: write.batchAppend,
      delete: write.delete,
      tombstone: write.tombstone,
    } satisfies UntypedServiceImplementation);
    server.addService(
      persistentGrpc.PersistentSubscriptionsService,
      persistentSubscriptionHandlers(this.persistent, this.#auth) satisfies UntypedServiceImplementation,
    );
    server.addService(featuresGrpc.ServerFeaturesService, serverFeaturesHandler(() => services));
    server.addService(gossipGrpc.GossipService, { read: this.#gossip } satisfies UntypedServiceImplementation);
    const { certificates } = this.#options;
    const credentials =
      certificates === undefined
        ? ServerCredentials.createInsecure()
        : ServerCredentials.createSsl(null, [{ private_key: certificates.key, cert_chain: certificates.cert }], false);
    this.#port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`127.0.0.1:${this.#port}`, credentials, (error, port) =>
        error === null ? resolve(port) : reject(error),
      );
    });
    this.#server = server;
    return this.#port;
  }

  /** Forced shutdown: every open call is cancelled at once. */
  stop(): void {
    const server = this.#server;
    this.#server = undefined;
    if (server === undefined) return;
    server.forceShutdown();
    this.store.detachListeners();
    this.persistent.disconnectAll();
  }

  /**
   * Graceful shutdown: no new calls; calls in progress may finish within `graceMs`, then the
   * ones still open (subscriptions, a client's BatchAppend stream, an unfinished append) end
   * with CANCELLED, their trailers are flushed, and the server stops.
   */
  async shutdown(graceMs: number): Promise<void> {
    const server = this.#server;
    if (server === undefined) return;
    const closed = new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    await Promise.race([closed, delay(Math.max(0, graceMs))]);
    this.#calls.cancelAll("The server is shutting down");
    await Promise.race([closed, delay(FLUSH_MS)]);
    this.stop();
  }

  /** Releases the data directory's files; call after stopping, the server cannot start again. */
  dispose(): void {
    this.stop();
    this.#journal?.close();
  }

  /** A single-node "cluster": this node as the leader (VNodeState.Leader = 8). */
  readonly #gossip = (call: ServerUnaryCall<Empty, ClusterInfo>, callback: sendUnaryData<ClusterInfo>): void => {
    const endPoint = new gossipPb.EndPoint().setAddress("127.0.0.1").setPort(this.#port);
    const member = new gossipPb.MemberInfo()
      .setInstanceId(uuidMessage(this.#instanceId, "string"))
      .setTimeStamp((BigInt(Date.now()) * 10_000n).toString())
      .setState(gossipPb.MemberInfo.VNodeState.LEADER)
      .setIsAlive(true)
      .setHttpEndPoint(endPoint);
    void call;
    callback(null, new gossipPb.ClusterInfo().setMembersList([member]));
  };
}
