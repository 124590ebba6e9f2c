/** The emulator process: gRPC server + Quarterdeck HTTP server over one shared store. */
import type { AddressInfo } from "node:net";
import type { Server as HttpServer } from "node:http";
import * as grpc from "@grpc/grpc-js";
import {
  ENSIGN_SERVICE,
  GRPC_MESSAGE_SIZE_OPTIONS,
  HEALTH_SERVICE,
  MAX_EVENT_SIZE,
  SERVER_MAX_RECEIVE_BYTES,
  newUlid,
  ulidToString,
} from "../../adapters/ensign/wire/index.js";
import { ALL_PERMISSIONS } from "./auth.js";
import { Broker } from "./broker.js";
import type { EmulatorContext } from "./context.js";
import { healthCheck, healthWatch, info, statusHandler } from "./info-rpc.js";
import { createQuarterdeck, type ApiKeyRecord, type QuarterdeckState } from "./quarterdeck.js";
import { explain, handleEnsql } from "./query-rpc.js";
import { ReceiveLimit } from "./receive-limit.js";
import { authed } from "./rpc.js";
import { EnsignPersistence } from "./persistence.js";
import { EnsignStore } from "./store.js";
import { handlePublish, handleSubscribe } from "./streams.js";
import { TokenIssuer, randomKey } from "./tokens.js";
import {
  createTopic,
  deleteTopic,
  listTopics,
  retrieveTopic,
  setTopicPolicy,
  topicExists,
  topicNames,
} from "./topics-rpc.js";

export interface EnsignClientSpec {
  clientId: string;
  clientSecret: string;
  /** ULID text; defaults to the server's default project. */
  projectId?: string;
  /** Defaults to every Ensign permission (publisher, subscriber, topics:*, metrics:read). */
  permissions?: string[];
}

export interface EnsignServerOptions {
  /** gRPC port (0 = any free port, the default). */
  port?: number;
  /** Quarterdeck HTTP port (0 = any free port, the default). */
  authPort?: number;
  /** API keys; default: one random key with every permission in the default project. */
  clients?: EnsignClientSpec[];
  /** Access token lifetime (Quarterdeck default 3600). */
  accessTtlSeconds?: number;
  /** Refresh token lifetime from issue (Quarterdeck default 7200). */
  refreshTtlSeconds?: number;
  /** The refresh token becomes valid this long before the access token expires (default 900). */
  refreshOverlapSeconds?: number;
  /** Per-subscriber outgoing queue; events beyond it are dropped (server default 16384). */
  subscriberBuffer?: number;
  /** Clock for tokens and commit stamps (ms since epoch); default Date.now. */
  now?: () => number;
  /**
   * gRPC receive limit of the server. Default: the real server's, grpc-go's 4 MiB
   * (REAL_SERVER_MAX_RECEIVE_BYTES): a larger request ends its stream with RESOURCE_EXHAUSTED.
   * A test that needs the MAX_EVENT_SIZE_EXCEEDED nack for a 5 MB event raises it.
   */
  maxReceiveMessageBytes?: number;
  /** Serialized events above this are nacked MAX_EVENT_SIZE_EXCEEDED. Default: the server's 5,243,000. */
  maxEventBytes?: number;
  /**
   * Keeps topics, events, the project and the API keys in this directory, so a new server on it
   * has the data and the keys of the last one (`clients`, when given, replace the saved keys).
   */
  dataDir?: string;
}

/** grpc-go's default server receive limit, which the real Ensign server does not change. */
export const REAL_SERVER_MAX_RECEIVE_BYTES = SERVER_MAX_RECEIVE_BYTES;

export interface EnsignServerCredentials {
  clientId: string;
  clientSecret: string;
  projectId: string;
  permissions: string[];
}

export const EMULATED_VERSION = "0.12.9-beta.24";
const AUDIENCE = "https://rotational.app";
const ORG_ID = ulidToString(newUlid());

export class EnsignServer {
  readonly store: EnsignStore;
  readonly broker = new Broker();
  readonly tokens: TokenIssuer;
  /** The project used for clients that name none. */
  readonly projectId: string;
  readonly clients: EnsignServerCredentials[];
  private readonly keys = new Map<string, ApiKeyRecord>();
  private readonly quarterdeckState: QuarterdeckState;
  private grpcServer: grpc.Server | undefined;
  private httpServer: HttpServer | undefined;
  private readonly ctx: EmulatorContext;
  private boundPort: number;
  private boundAuthPort: number;
  private readonly subscriberBuffer: number;
  private readonly openCalls = new Set<StreamingCall>();
  private readonly receiveLimit: ReceiveLimit;
  private closed = false;

  constructor(options: EnsignServerOptions = {}) {
    const nowMs = options.now ?? Date.now;
    this.boundPort = options.port ?? 0;
    this.boundAuthPort = options.authPort ?? 0;
    this.subscriberBuffer = options.subscriberBuffer ?? 16_384;
    this.receiveLimit = new ReceiveLimit(options.maxReceiveMessageBytes ?? REAL_SERVER_MAX_RECEIVE_BYTES);
    const persistence = options.dataDir === undefined ? undefined : new EnsignPersistence(options.dataDir);
    const saved = persistence?.readIdentity();
    this.projectId = saved?.projectId ?? ulidToString(newUlid());
    const specs = options.clients ?? saved?.clients ?? [{ clientId: randomKey(32), clientSecret: randomKey(64) }];
    this.clients = specs.map((spec) => ({
      clientId: spec.clientId,
      clientSecret: spec.clientSecret,
      projectId: spec.projectId ?? this.projectId,
      permissions: spec.permissions ?? [...ALL_PERMISSIONS],
    }));
    persistence?.writeIdentity({ projectId: this.projectId, clients: this.clients });
    this.store = new EnsignStore(persistence);
    for (const client of this.clients) {
      this.keys.set(client.clientId, { ...client, orgId: ORG_ID, lastLogin: "" });
    }
    this.tokens = new TokenIssuer({
      issuer: () => this.authUrl,
      audience: AUDIENCE,
      accessTtlSeconds: options.accessTtlSeconds ?? 3600,
      refreshTtlSeconds: options.refreshTtlSeconds ?? 7200,
      refreshOverlapSeconds: options.refreshOverlapSeconds ?? 900,
      nowMs,
    });
    this.quarterdeckState = {
      keys: this.keys,
      tokens: this.tokens,
      startedAt: Date.now(),
      version: EMULATED_VERSION,
      calls: { authenticate: 0, refresh: 0 },
    };
    this.ctx = {
      store: this.store,
      broker: this.broker,
      tokens: this.tokens,
      audience: AUDIENCE,
      serverId: `switchyard-emulator-${ulidToString(newUlid()).slice(-6).toLowerCase()}`,
      version: EMULATED_VERSION,
      startedAt: Date.now(),
      nowMs,
      maintenance: false,
      maxEventBytes: options.maxEventBytes ?? MAX_EVENT_SIZE,
    };
  }

  get port(): number {
    return this.boundPort;
  }

  get authPort(): number {
    return this.boundAuthPort;
  }

  /** gRPC endpoint "127.0.0.1:PORT". */
  get endpoint(): string {
    return `127.0.0.1:${this.boundPort}`;
  }

  /** Quarterdeck base URL "http://127.0.0.1:AUTHPORT". */
  get authUrl(): string {
    return `http://127.0.0.1:${this.boundAuthPort}`;
  }

  /** `ensign://127.0.0.1:PORT?insecure=true&authUrl=…` (credentials are not included). */
  get url(): string {
    return `ensign://${this.endpoint}?insecure=true&authUrl=${encodeURIComponent(this.authUrl)}`;
  }

  /** The first API key's id and secret. */
  get clientId(): string {
    return (this.clients[0] as EnsignServerCredentials).clientId;
  }

  get clientSecret(): string {
    return (this.clients[0] as EnsignServerCredentials).clientSecret;
  }

  get running(): boolean {
    return this.grpcServer !== undefined;
  }

  /** Number of events stored over all projects and topics. */
  get eventCount(): number {
    return this.store.eventCount();
  }

  /** Request messages refused for being over the receive limit (each ended its stream). */
  get oversizedRequests(): number {
    return this.receiveLimit.refused;
  }

  /** Live events dropped because a subscriber's queue was full. */
  get droppedEvents(): number {
    return this.broker.dropped;
  }

  get subscriberCount(): number {
    return this.broker.subscriberCount;
  }

  /** Calls received by Quarterdeck (authenticate / refresh), for tests. */
  get authCalls(): { authenticate: number; refresh: number } {
    return { ...this.quarterdeckState.calls };
  }

  /** Maintenance mode: Status says MAINTENANCE, every other RPC fails UNAVAILABLE. */
  setMaintenance(on: boolean): void {
    this.ctx.maintenance = on;
  }

  /** Ends every Subscribe stream with UNAVAILABLE (a server-side drop). Returns how many. */
  dropSubscribers(): number {
    return this.broker.dropAll(grpc.status.UNAVAILABLE, "subscription dropped by the server");
  }

  async start(): Promise<void> {
    if (this.closed) throw new Error("the Ensign emulator was closed");
    if (this.running) return;
    const http = await this.listenHttp(this.boundAuthPort);
    try {
      await this.listenGrpc();
    } catch (error) {
      await closeHttp(http);
      this.httpServer = undefined;
      throw error;
    }
  }

  private async listenHttp(port: number): Promise<HttpServer> {
    const server = createQuarterdeck(this.quarterdeckState);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.boundAuthPort = (server.address() as AddressInfo).port;
    this.httpServer = server;
    return server;
  }

  private async listenGrpc(): Promise<void> {
    // The receive limit is enforced by this.receiveLimit's interceptor, not by grpc-js.
    const server = new grpc.Server({
      ...GRPC_MESSAGE_SIZE_OPTIONS,
      "grpc.max_receive_message_length": -1,
      interceptors: [this.receiveLimit.interceptor],
    });
    const ctx = () => this.ctx;
    server.addService(this.receiveLimit.measure(ENSIGN_SERVICE), {
      Publish: (call: grpc.ServerDuplexStream<never, never>) => this.track(call, handlePublish(ctx(), call)),
      Subscribe: (call: grpc.ServerDuplexStream<never, never>) =>
        this.track(call, handleSubscribe(ctx(), call, this.subscriberBuffer)),
      EnSQL: (call: grpc.ServerWritableStream<never, never>) => this.track(call, handleEnsql(ctx(), call)),
      Explain: authed(ctx, explain),
      ListTopics: authed(ctx, listTopics),
      CreateTopic: authed(ctx, createTopic),
      RetrieveTopic: authed(ctx, retrieveTopic),
      DeleteTopic: authed(ctx, deleteTopic),
      TopicNames: authed(ctx, topicNames),
      TopicExists: authed(ctx, topicExists),
      SetTopicPolicy: authed(ctx, setTopicPolicy),
      Info: authed(ctx, info),
      Status: statusHandler(ctx),
    } as unknown as grpc.UntypedServiceImplementation);
    server.addService(this.receiveLimit.measure(HEALTH_SERVICE), {
      Check: healthCheck(ctx),
      Watch: healthWatch(ctx),
    } as unknown as grpc.UntypedServiceImplementation);
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`127.0.0.1:${this.boundPort}`, grpc.ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      );
    });
    this.boundPort = port;
    this.grpcServer = server;
    this.ctx.startedAt = Date.now();
  }

  /** Remembers an open streaming call until its handler settles (stop() ends it). */
  private track(call: StreamingCall, handling: Promise<void>): void {
    this.openCalls.add(call);
    void handling.finally(() => this.openCalls.delete(call));
  }

  /**
   * Stops both servers abruptly; data is kept. Open streams end with UNAVAILABLE, which is what
   * a client of a crashed or killed server sees (grpc-js's forceShutdown alone would report
   * CANCELLED, which clients rightly treat as their own cancellation).
   */
  async stop(): Promise<void> {
    const grpcServer = this.grpcServer;
    const httpServer = this.httpServer;
    this.grpcServer = undefined;
    this.httpServer = undefined;
    this.broker.clear();
    for (const call of this.openCalls) {
      if (!call.cancelled) call.emit("error", { code: grpc.status.UNAVAILABLE, details: "the Ensign server is shutting down" });
    }
    this.openCalls.clear();
    if (grpcServer) await shutdownGrpc(grpcServer);
    if (httpServer) await closeHttp(httpServer);
  }

  /** stop() then start() on the same ports, with the same data, keys and signing key. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Stops for good and releases the data directory's files. */
  async close(): Promise<void> {
    await this.stop();
    if (!this.closed) this.store.close();
    this.closed = true;
  }
}

type StreamingCall = grpc.ServerDuplexStream<never, never> | grpc.ServerWritableStream<never, never>;

/** Lets the UNAVAILABLE statuses flush, then closes every connection (bounded wait). */
function shutdownGrpc(server: grpc.Server): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, 500);
    server.tryShutdown(() => {
      clearTimeout(timer);
      server.forceShutdown();
      resolve();
    });
  });
}

function closeHttp(server: HttpServer): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

export async function startEnsignServer(options: EnsignServerOptions = {}): Promise<EnsignServer> {
  const server = new EnsignServer(options);
  await server.start();
  return server;
}
