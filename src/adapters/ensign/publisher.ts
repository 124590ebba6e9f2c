import type { ClientDuplexStream, StatusObject } from "@grpc/grpc-js";
import { ClosedError, ConnectionError, SwitchyardError } from "../../core/errors.js";
import type { RetryOptions } from "../../core/event-stream.js";
import { backoffDelay } from "../../core/subscription.js";
import type { EnsignConnection } from "./connection.js";
import { fromGrpcError, GrpcStatus, nackToError } from "./errors.js";
import { randomBytes } from "node:crypto";
import { refusedAsTooLarge, resetAsTooLarge, sizeResetLimit } from "./publish-size.js";
import { fromTimestamp } from "./wire/codec.js";
import { maxEventBytesFor, publishRequestBytes, SERVER_MAX_RECEIVE_BYTES } from "./wire/limits.js";
import type { PublisherReply, PublisherRequest, WireInput } from "./wire/messages.js";

/** The Ensign server's acknowledgement of a published event. */
export interface PublishAck {
  /** The local id the server echoed. */
  readonly localId: Uint8Array;
  /** When the server committed the event. */
  readonly committed: Date | undefined;
}

export interface PublisherOptions {
  /** Most events sent and not yet acknowledged. */
  readonly window: number;
  readonly reconnect: Required<RetryOptions>;
  /** Sent in OpenStream; the server echoes it in StreamReady. */
  readonly clientId: string;
  /** Every StreamReady's topic map (name → id), e.g. for the topic cache. */
  readonly onReady?: (topics: Readonly<Record<string, Uint8Array>>) => void;
  /** How long to wait for StreamReady after opening. Default 10 s. */
  readonly readyTimeoutMs?: number;
}

interface Pending {
  readonly key: number;
  readonly localId: Uint8Array;
  readonly topicId: Uint8Array;
  readonly topicKey: string;
  readonly event: Uint8Array;
  /** Size of its PublisherRequest on the wire. */
  readonly bytes: number;
  /** Written to some stream at least once: a re-send may store it twice. */
  sent: boolean;
  /** A reopen was already done for this event's topic; if still not allowed, let the server nack it. */
  reopened: boolean;
  readonly resolve: (ack: PublishAck) => void;
  readonly reject: (error: SwitchyardError) => void;
}

type Call = ClientDuplexStream<WireInput<PublisherRequest>, PublisherReply>;
type State = "idle" | "opening" | "ready" | "draining" | "backoff" | "closed";

/** Counters for diagnostics and tests. */
export interface PublisherStats {
  opened: number;
  reconnects: number;
  sent: number;
  resent: number;
  acks: number;
  nacks: number;
}

/**
 * One long-lived Publish stream. Events are queued and written while fewer than `window` await
 * their ack; each ack or nack (matched by the local id the server echoes) settles that event's
 * promise. The stream's allowed topics are fixed when it opens, so an event for a topic the
 * stream does not know makes it drain (wait for outstanding acks), close and reopen. A broken
 * stream is reopened with backoff and every unacknowledged event is sent again, in order: nothing
 * acknowledged is lost and nothing is dropped, but a re-sent event may be stored twice. The
 * exception is an event over the server's message limit: it is refused before sending, and if the
 * server resets the stream for one anyway (its limit is lower than believed), that event fails
 * and the lower limit is kept, while the others are sent again.
 */
export class Publisher {
  readonly #connection: EnsignConnection;
  readonly #options: PublisherOptions;
  readonly #queue: Pending[] = [];
  readonly #inflight = new Map<number, Pending>();
  /** Local ids are ULID-shaped (ms time, 6 random bytes per publisher, a 4-byte sequence); the sequence is the match key. */
  readonly #idPrefix = randomBytes(6);
  #sequence = 0;
  #lastTopicId: Uint8Array | undefined;
  #lastTopicKey = "";
  readonly #idleWaiters = new Set<() => void>();
  #call: Call | undefined;
  #state: State = "idle";
  #allowed = new Set<string>();
  #needsReopen = false;
  #failures = 0;
  /** The server's receive limit: grpc-go's default, lowered when a server resets a stream for less. */
  #maxMessageBytes = SERVER_MAX_RECEIVE_BYTES;
  #timer: NodeJS.Timeout | undefined;
  readonly stats: PublisherStats = { opened: 0, reconnects: 0, sent: 0, resent: 0, acks: 0, nacks: 0 };

  constructor(connection: EnsignConnection, options: PublisherOptions) {
    this.#connection = connection;
    this.#options = options;
  }

  /** The largest serialized event this publisher sends (what the server is known to accept). */
  get maxEventBytes(): number {
    return maxEventBytesFor(this.#maxMessageBytes);
  }

  /** Number of events queued or awaiting an ack. */
  get pending(): number {
    return this.#queue.length + this.#inflight.size;
  }

  /** Queues a serialized Event for a topic id; settles on its ack (or with its typed nack error). */
  publish(topicId: Uint8Array, event: Uint8Array): Promise<PublishAck> {
    if (this.#state === "closed") return Promise.reject(new ClosedError("The Ensign publisher is closed"));
    const bytes = publishRequestBytes(event.byteLength, topicId.byteLength, LOCAL_ID_BYTES);
    if (bytes > this.#maxMessageBytes) return Promise.reject(refusedAsTooLarge(event.byteLength, this.#maxMessageBytes));
    const key = (this.#sequence = (this.#sequence + 1) >>> 0);
    const localId = this.#localId(key);
    if (topicId !== this.#lastTopicId) {
      this.#lastTopicId = topicId;
      this.#lastTopicKey = toHex(topicId);
    }
    const topicKey = this.#lastTopicKey;
    const promise = new Promise<PublishAck>((resolve, reject) => {
      this.#queue.push({
        key,
        localId,
        topicId,
        topicKey,
        event,
        bytes,
        sent: false,
        reopened: false,
        resolve,
        reject,
      });
    });
    this.#pump();
    return promise;
  }

  #localId(sequence: number): Uint8Array {
    const id = Buffer.allocUnsafe(LOCAL_ID_BYTES);
    id.writeUIntBE(Date.now(), 0, 6);
    this.#idPrefix.copy(id, 6);
    id.writeUInt32BE(sequence, 12);
    return id;
  }

  /** The stream's topic set is stale (a topic was created): drain and reopen before the next send. */
  requestReopen(): void {
    if (this.#state === "ready" || this.#state === "opening") this.#needsReopen = true;
    this.#pump();
  }

  /** Resolves when nothing is queued or awaiting an ack; rejects after `timeoutMs`. */
  flush(timeoutMs = 30_000): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.#idleWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#idleWaiters.delete(done);
        reject(new ConnectionError(`Ensign publisher flush timed out with ${this.pending} event(s) unacknowledged`));
      }, timeoutMs);
      this.#idleWaiters.add(done);
    });
  }

  /** Flushes (bounded), closes the stream, and fails whatever is still unacknowledged. */
  async close(timeoutMs = 10_000): Promise<void> {
    if (this.#state === "closed") return;
    await this.flush(timeoutMs).catch(() => undefined);
    const call = this.#call;
    this.#state = "closed";
    this.#call = undefined;
    clearTimeout(this.#timer);
    if (call) {
      call.end();
      call.cancel();
    }
    this.#failAll((p) => new ClosedError(`The Ensign publisher closed before the event was acknowledged${p.sent ? " (it may have been stored)" : ""}`));
  }

  #pump(): void {
    if (this.#state === "idle" && this.#queue.length > 0) {
      void this.#open();
      return;
    }
    if (this.#state !== "ready" || !this.#call) return;
    if (this.#needsReopen) {
      if (this.#inflight.size === 0) this.#drain();
      return;
    }
    while (this.#queue.length > 0 && this.#inflight.size < this.#options.window) {
      const next = this.#queue[0]!;
      if (!this.#allowed.has(next.topicKey) && !next.reopened) {
        for (const p of this.#queue) if (p.topicKey === next.topicKey) p.reopened = true;
        this.#needsReopen = true;
        this.#pump();
        return;
      }
      this.#queue.shift();
      this.#inflight.set(next.key, next);
      if (next.sent) this.stats.resent++;
      next.sent = true;
      this.stats.sent++;
      this.#call.write({ event: { topic_id: next.topicId, local_id: next.localId, event: next.event } });
    }
  }

  async #open(): Promise<void> {
    this.#state = "opening";
    let call: Call;
    try {
      call = await this.#connection.bidi<WireInput<PublisherRequest>, PublisherReply>("Publish");
    } catch (error) {
      this.#broken(undefined, error);
      return;
    }
    if (this.#state !== "opening") {
      call.cancel();
      return;
    }
    this.#call = call;
    this.stats.opened++;
    let error: unknown;
    let first = true;
    call.on("data", (reply: PublisherReply) => {
      if (first && reply.embed !== "ready") {
        call.cancel();
        error = new ConnectionError(`Ensign Publish stream answered ${reply.embed ?? "nothing"} before ready`);
        return;
      }
      first = false;
      this.#onReply(call, reply);
    });
    call.on("error", (e: unknown) => (error ??= e));
    call.on("status", (status: StatusObject) => this.#onStatus(call, status, error));
    call.write({ open_stream: { client_id: this.#options.clientId, topics: [] } });
    this.#timer = setTimeout(() => {
      if (this.#call === call && this.#state === "opening") {
        error = new ConnectionError("Ensign Publish stream sent no StreamReady in time");
        call.cancel();
      }
    }, this.#options.readyTimeoutMs ?? 10_000);
  }

  #onReply(call: Call, reply: PublisherReply): void {
    if (call !== this.#call) return;
    if (reply.ready) {
      clearTimeout(this.#timer);
      const topics = reply.ready.topics ?? {};
      this.#allowed = new Set(Object.values(topics).map((id) => toHex(id)));
      this.#options.onReady?.(topics);
      this.#needsReopen = false;
      this.#state = "ready";
      this.#pump();
    } else if (reply.ack) {
      const pending = this.#take(reply.ack.id);
      if (!pending) return;
      // Progress resets the reconnect budget (a ready alone does not: an event that breaks the
      // stream every time it is sent must not be re-sent forever).
      this.#failures = 0;
      this.stats.acks++;
      pending.resolve({ localId: pending.localId, committed: reply.ack.committed ? fromTimestamp(reply.ack.committed) : undefined });
      this.#settled();
    } else if (reply.nack) {
      const pending = this.#take(reply.nack.id);
      if (!pending) return;
      this.#failures = 0;
      this.stats.nacks++;
      pending.reject(nackToError(reply.nack.code, reply.nack.error));
      this.#settled();
    }
    // close_stream: the stream's status follows and decides what happens next.
  }

  #take(id: Uint8Array): Pending | undefined {
    // Ids this publisher did not make (wrong length or prefix) match nothing.
    if (id.byteLength !== LOCAL_ID_BYTES) return undefined;
    const bytes = Buffer.from(id.buffer, id.byteOffset, id.byteLength);
    if (!bytes.subarray(6, 12).equals(this.#idPrefix)) return undefined;
    const key = bytes.readUInt32BE(12);
    const pending = this.#inflight.get(key);
    if (pending) this.#inflight.delete(key);
    return pending;
  }

  #settled(): void {
    this.#pump();
    if (this.pending === 0) for (const done of [...this.#idleWaiters]) done();
  }

  /** Half-closes the stream once nothing awaits an ack; the OK status then reopens it. */
  #drain(): void {
    this.#state = "draining";
    this.#call?.end();
  }

  #onStatus(call: Call, status: StatusObject, error: unknown): void {
    if (call !== this.#call) return;
    clearTimeout(this.#timer);
    if (this.#state === "closed") return;
    if (this.#state === "draining" && status.code === GrpcStatus.OK) {
      this.#call = undefined;
      this.#state = "idle";
      this.#needsReopen = false;
      this.#pump();
      return;
    }
    const cause = error ?? (status.code === GrpcStatus.OK ? new ConnectionError("Ensign closed the Publish stream") : status);
    this.#broken(call, cause);
  }

  #broken(call: Call | undefined, error: unknown): void {
    if (this.#state === "closed") return;
    if (call) call.cancel();
    this.#call = undefined;
    // Unacknowledged events go back to the front of the queue, in their original order.
    this.#queue.unshift(...this.#inflight.values());
    this.#inflight.clear();
    const resetLimit = sizeResetLimit(error);
    if (resetLimit !== undefined) this.#dropOversized(resetLimit, error);
    const code = (error as { code?: unknown }).code;
    if (code === GrpcStatus.UNAUTHENTICATED) this.#connection.auth.invalidateAccessToken();
    const fatal =
      code === GrpcStatus.PERMISSION_DENIED ||
      code === GrpcStatus.FAILED_PRECONDITION ||
      code === GrpcStatus.INVALID_ARGUMENT ||
      code === GrpcStatus.UNIMPLEMENTED ||
      (error instanceof SwitchyardError && error.code !== "CONNECTION");
    this.#failures++;
    if (fatal || this.#failures > this.#options.reconnect.maxAttempts || this.#connection.closed) {
      const reason = fromGrpcError(error, "Publish");
      this.#state = "idle";
      this.#failures = 0;
      this.#failAll((p) =>
        reason.code === "CONNECTION"
          ? new ConnectionError(`${reason.message}; gave up reconnecting${p.sent ? " (the event may have been stored)" : ""}`, {
              cause: error,
              outcomeUnknown: p.sent,
            })
          : reason,
      );
      return;
    }
    this.stats.reconnects++;
    this.#state = "backoff";
    this.#timer = setTimeout(() => {
      if (this.#state !== "backoff") return;
      this.#state = "idle";
      this.#pump();
    }, backoffDelay(this.#failures, this.#options.reconnect));
  }

  /** The server reset the stream for a message over `limit`: fail what cannot fit (never stored), keep the rest. */
  #dropOversized(limit: number, cause: unknown): void {
    this.#maxMessageBytes = Math.min(this.#maxMessageBytes, limit);
    const kept = this.#queue.filter((p) => p.bytes <= this.#maxMessageBytes);
    const dropped = this.#queue.filter((p) => p.bytes > this.#maxMessageBytes);
    this.#queue.splice(0, this.#queue.length, ...kept);
    for (const p of dropped) {
      const size = p.event.byteLength;
      p.reject(p.sent ? resetAsTooLarge(size, p.bytes, this.#maxMessageBytes, cause) : refusedAsTooLarge(size, this.#maxMessageBytes));
    }
    if (this.pending === 0) for (const done of [...this.#idleWaiters]) done();
  }

  #failAll(errorFor: (pending: Pending) => SwitchyardError): void {
    const all = [...this.#inflight.values(), ...this.#queue];
    this.#inflight.clear();
    this.#queue.length = 0;
    for (const pending of all) pending.reject(errorFor(pending));
    for (const done of [...this.#idleWaiters]) done();
  }
}

const LOCAL_ID_BYTES = 16;

function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}
