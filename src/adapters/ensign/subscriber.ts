import type { ClientDuplexStream, StatusObject } from "@grpc/grpc-js";
import { ClosedError, ConnectionError, SwitchyardError } from "../../core/errors.js";
import type { RetryOptions } from "../../core/event-stream.js";
import { backoffDelay } from "../../core/subscription.js";
import type { EnsignConnection } from "./connection.js";
import { fromGrpcError, GrpcStatus } from "./errors.js";
import type { EventWrapper, SubscribeReply, SubscribeRequest, WireInput } from "./wire/messages.js";

export interface SubscriberOptions {
  /** Topic names, ULID strings or name hashes; empty = every topic of the project. */
  readonly topics: readonly string[];
  readonly clientId: string;
  readonly reconnect: Required<RetryOptions>;
  /** Every StreamReady (the first and each one after a reconnect). */
  readonly onReady?: (topics: Readonly<Record<string, Uint8Array>>) => void;
  readonly readyTimeoutMs?: number;
}

/** An event received on a Subscribe stream, with its way back to the server. */
export interface Delivery {
  readonly wrapper: EventWrapper;
  ack(): void;
  nack(code: number, error?: string): void;
}

type Call = ClientDuplexStream<WireInput<SubscribeRequest>, SubscribeReply>;

/**
 * A Subscribe stream: sends the Subscription, waits for StreamReady, then yields every event the
 * server pushes. A dropped stream is reopened with backoff and the same Subscription; Ensign's
 * Subscribe is live-only, so events committed while it was down are not replayed (callers that
 * need them read by EnSQL — `onReady` tells them when to).
 */
export class Subscriber implements AsyncIterable<Delivery> {
  readonly #connection: EnsignConnection;
  readonly #options: SubscriberOptions;
  readonly #buffer: Delivery[] = [];
  #wake: (() => void) | undefined;
  #call: Call | undefined;
  #failure: SwitchyardError | undefined;
  #closed = false;
  #failures = 0;
  #renewedToken = false;
  #timer: NodeJS.Timeout | undefined;
  #resolveReady!: () => void;
  #rejectReady!: (error: unknown) => void;
  /** Resolves on the first StreamReady: from then on, committed events are delivered. */
  readonly ready: Promise<void>;
  readonly stats = { opened: 0, readies: 0, events: 0, acks: 0, nacks: 0 };

  constructor(connection: EnsignConnection, options: SubscriberOptions) {
    this.#connection = connection;
    this.#options = options;
    this.ready = new Promise<void>((resolve, reject) => {
      this.#resolveReady = resolve;
      this.#rejectReady = reject;
    });
    this.ready.catch(() => undefined);
    void this.#open();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Delivery> {
    try {
      while (true) {
        const next = this.#buffer.shift();
        if (next) {
          yield next;
          continue;
        }
        if (this.#failure) throw this.#failure;
        if (this.#closed) return;
        await new Promise<void>((resolve) => (this.#wake = resolve));
      }
    } finally {
      await this.close();
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    const call = this.#call;
    this.#call = undefined;
    call?.end();
    call?.cancel();
    this.#rejectReady(new ClosedError("Subscription closed before the stream was ready"));
    this.#notify();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  async #open(): Promise<void> {
    if (this.#closed) return;
    let call: Call;
    try {
      call = await this.#connection.bidi<WireInput<SubscribeRequest>, SubscribeReply>("Subscribe");
    } catch (error) {
      this.#broken(undefined, error);
      return;
    }
    if (this.#closed) {
      call.cancel();
      return;
    }
    this.#call = call;
    this.stats.opened++;
    let error: unknown;
    let first = true;
    call.on("data", (reply: SubscribeReply) => {
      if (call !== this.#call) return;
      if (first && reply.embed !== "ready") {
        error = new ConnectionError(`Ensign Subscribe stream answered ${reply.embed ?? "nothing"} before ready`);
        call.cancel();
        return;
      }
      first = false;
      if (reply.ready) {
        clearTimeout(this.#timer);
        this.#failures = 0;
        this.#renewedToken = false;
        this.stats.readies++;
        this.#options.onReady?.(reply.ready.topics ?? {});
        this.#resolveReady();
      } else if (reply.event) {
        this.stats.events++;
        this.#buffer.push(this.#delivery(reply.event));
        this.#notify();
      }
      // close_stream: the status follows and triggers the reconnect.
    });
    call.on("error", (e: unknown) => (error ??= e));
    call.on("status", (status: StatusObject) => {
      if (call !== this.#call) return;
      const cause = error ?? (status.code === GrpcStatus.OK ? new ConnectionError("Ensign closed the Subscribe stream") : status);
      this.#broken(call, cause);
    });
    call.write({ subscription: { client_id: this.#options.clientId, topics: [...this.#options.topics] } });
    this.#timer = setTimeout(() => {
      if (this.#call === call && first) {
        error = new ConnectionError("Ensign Subscribe stream sent no StreamReady in time");
        call.cancel();
      }
    }, this.#options.readyTimeoutMs ?? 10_000);
  }

  #delivery(wrapper: EventWrapper): Delivery {
    const write = (request: WireInput<SubscribeRequest>) => {
      if (this.#call && !this.#closed) this.#call.write(request);
    };
    let answered = false;
    return {
      wrapper,
      ack: () => {
        if (answered) return;
        answered = true;
        this.stats.acks++;
        write({ ack: { id: wrapper.id } });
      },
      nack: (code, message = "") => {
        if (answered) return;
        answered = true;
        this.stats.nacks++;
        write({ nack: { id: wrapper.id, code, error: message } });
      },
    };
  }

  #broken(call: Call | undefined, error: unknown): void {
    clearTimeout(this.#timer);
    if (call) call.cancel();
    this.#call = undefined;
    if (this.#closed) return;
    const code = (error as { code?: unknown }).code;
    if (code === GrpcStatus.UNAUTHENTICATED) {
      this.#connection.auth.invalidateAccessToken();
      // As for unary calls, a refused token is renewed and the stream reopened once, whatever the
      // reconnect policy (EventStream subscriptions allow none here); bad credentials then fail the renewal.
      if (!this.#renewedToken) {
        this.#renewedToken = true;
        void this.#open();
        return;
      }
    }
    const fatal =
      code === GrpcStatus.PERMISSION_DENIED ||
      code === GrpcStatus.FAILED_PRECONDITION ||
      code === GrpcStatus.INVALID_ARGUMENT ||
      code === GrpcStatus.UNIMPLEMENTED ||
      (error instanceof SwitchyardError && error.code !== "CONNECTION");
    this.#failures++;
    if (fatal || this.#failures > this.#options.reconnect.maxAttempts || this.#connection.closed) {
      this.#failure = fromGrpcError(error, "Subscribe");
      this.#rejectReady(this.#failure);
      this.#notify();
      return;
    }
    this.#timer = setTimeout(() => void this.#open(), backoffDelay(this.#failures, this.#options.reconnect));
  }
}
