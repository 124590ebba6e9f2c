import * as grpc from "@grpc/grpc-js";
import { ClosedError } from "../../core/errors.js";
import type { AuthClient } from "./auth-client.js";
import { fromGrpcError, grpcCode, GrpcStatus } from "./errors.js";
import { ENSIGN_SERVICE, type EnsignMethodName } from "./wire/service.js";
import { GRPC_MESSAGE_SIZE_OPTIONS } from "./wire/limits.js";
import type { WireInput } from "./wire/messages.js";

export interface EnsignConnectionOptions {
  /** `host:port` of the Ensign gRPC server. */
  readonly endpoint: string;
  /** Plaintext gRPC (local servers); TLS otherwise. */
  readonly insecure: boolean;
  /** Supplies bearer tokens; every RPC except Status carries one. */
  readonly auth: AuthClient;
  /** Default deadline of unary calls. Default 30 s. */
  readonly unaryTimeoutMs?: number;
}

export const USER_AGENT = "switchyard-ensign/0.1";

/** Methods that the server serves without a token. */
const UNAUTHENTICATED_METHODS = new Set<EnsignMethodName>(["Status"]);

/**
 * One gRPC channel to an Ensign node: unary calls, server streams and bidi streams, each with
 * `authorization: Bearer <token>` metadata (renewed by the AuthClient), and generous message-size
 * limits of its own (what it sends is bounded by the server's receive limit, checked by the publisher).
 */
export class EnsignConnection {
  readonly #client: grpc.Client;
  readonly #options: EnsignConnectionOptions;
  #closed = false;

  constructor(options: EnsignConnectionOptions) {
    this.#options = options;
    const credentials = options.insecure ? grpc.credentials.createInsecure() : grpc.credentials.createSsl();
    this.#client = new grpc.Client(options.endpoint, credentials, {
      ...GRPC_MESSAGE_SIZE_OPTIONS,
      "grpc.primary_user_agent": USER_AGENT,
      "grpc.keepalive_time_ms": 30_000,
      // grpc-js backs off up to 120 s between connection attempts and meanwhile fails every call at
      // once: after an outage, ping() and reconnecting subscriptions would wait that long to see the
      // server back. 5 s matches the subscriptions' own longest backoff.
      "grpc.max_reconnect_backoff_ms": 5_000,
    });
  }

  get endpoint(): string {
    return this.#options.endpoint;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get auth(): AuthClient {
    return this.#options.auth;
  }

  /** Call metadata for `method`: the bearer token unless the method is public. */
  async metadata(method: EnsignMethodName): Promise<grpc.Metadata> {
    this.#assertOpen();
    const metadata = new grpc.Metadata();
    if (!UNAUTHENTICATED_METHODS.has(method)) {
      metadata.set("authorization", `Bearer ${await this.#options.auth.accessToken()}`);
    }
    return metadata;
  }

  /** A unary call; a refused token is renewed and the call retried once. */
  async unary<Res>(method: EnsignMethodName, request: WireInput<unknown>, signal?: AbortSignal): Promise<Res> {
    try {
      return await this.#unaryOnce<Res>(method, request, signal);
    } catch (error) {
      if (grpcCode(error) !== GrpcStatus.UNAUTHENTICATED || UNAUTHENTICATED_METHODS.has(method)) {
        throw fromGrpcError(error, method);
      }
      this.#options.auth.invalidateAccessToken();
      try {
        return await this.#unaryOnce<Res>(method, request, signal);
      } catch (retryError) {
        throw fromGrpcError(retryError, method);
      }
    }
  }

  async #unaryOnce<Res>(method: EnsignMethodName, request: WireInput<unknown>, signal?: AbortSignal): Promise<Res> {
    const definition = ENSIGN_SERVICE[method]!;
    const metadata = await this.metadata(method);
    const deadline = Date.now() + (this.#options.unaryTimeoutMs ?? 30_000);
    return new Promise<Res>((resolve, reject) => {
      const call = this.#client.makeUnaryRequest<unknown, Res>(
        definition.path,
        definition.requestSerialize as (value: unknown) => Buffer,
        definition.responseDeserialize as (bytes: Buffer) => Res,
        request,
        metadata,
        { deadline },
        (error, response) => {
          signal?.removeEventListener("abort", onAbort);
          if (error) reject(error);
          else resolve(response as Res);
        },
      );
      const onAbort = () => call.cancel();
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** A server-streaming call as an async iterable; breaking out of the loop cancels the call. */
  async *serverStream<Res>(method: EnsignMethodName, request: WireInput<unknown>, signal?: AbortSignal): AsyncGenerator<Res> {
    const definition = ENSIGN_SERVICE[method]!;
    const metadata = await this.metadata(method);
    const call = this.#client.makeServerStreamRequest<unknown, Res>(
      definition.path,
      definition.requestSerialize as (value: unknown) => Buffer,
      definition.responseDeserialize as (bytes: Buffer) => Res,
      request,
      metadata,
    );
    const onAbort = () => call.cancel();
    signal?.addEventListener("abort", onAbort, { once: true });
    let finished = false;
    try {
      for await (const message of call) yield message as Res;
      finished = true;
    } catch (error) {
      finished = true;
      if (signal?.aborted && grpcCode(error) === GrpcStatus.CANCELLED) return;
      throw fromGrpcError(error, method);
    } finally {
      signal?.removeEventListener("abort", onAbort);
      if (!finished) call.cancel();
    }
  }

  /** Opens a bidi stream with fresh call metadata. */
  async bidi<Req, Res>(method: "Publish" | "Subscribe"): Promise<grpc.ClientDuplexStream<Req, Res>> {
    const definition = ENSIGN_SERVICE[method]!;
    const metadata = await this.metadata(method);
    return this.#client.makeBidiStreamRequest<Req, Res>(
      definition.path,
      definition.requestSerialize as (value: Req) => Buffer,
      definition.responseDeserialize as (bytes: Buffer) => Res,
      metadata,
    );
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#client.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new ClosedError("The Ensign client is closed");
  }
}
