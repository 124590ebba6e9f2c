import { ValidationError } from "../../core/errors.js";
import type { NackError } from "./errors.js";
import { formatEventType, parseSemver, type EventTypeVersion } from "./event-type.js";
import { MIME, mimeToString, parseMime, type MimeValue } from "./mime.js";
import type { PublishAck } from "./publisher.js";
import type { Delivery } from "./subscriber.js";
import { decodeEvent, fromTimestamp, toTimestamp } from "./wire/codec.js";
import { rlidToString, ulidToString } from "./wire/ids.js";
import type { Event as WireEvent, EventWrapper, WireInput } from "./wire/messages.js";

/** pyensign's event states. */
export type EventState = "initialized" | "queued" | "published" | "subscribed" | "acked" | "nacked";

/** What an Ensign event is made from. */
export interface EventInit {
  /** Non-empty bytes. */
  readonly data: Uint8Array;
  /** A content type string or MIME value; default application/json. */
  readonly mimetype?: string | number;
  /** Default "Unknown". */
  readonly schemaName?: string;
  /** Semantic version, e.g. "1.2.3" or "v1.2.3"; default "0.0.0". */
  readonly schemaVersion?: string;
  readonly meta?: Readonly<Record<string, string>>;
}

/** An object to encode, with an optional mimetype or encoder (pyensign's `from_object`). */
export interface FromObjectOptions {
  readonly mimetype?: string | number;
  readonly encoder?: { encode(value: unknown): Uint8Array };
  readonly schemaName?: string;
  readonly schemaVersion?: string;
}

const utf8 = new TextEncoder();

/** What an event read from the server carries besides its data (internal). */
interface Received {
  readonly mimetype: MimeValue;
  readonly type: EventTypeVersion;
  readonly created: Date;
  readonly id: string;
  readonly topicId: string | undefined;
  readonly committed: Date | undefined;
  readonly delivery: Delivery | undefined;
}

/**
 * An Ensign event as pyensign models it: bytes with a mimetype, a schema type ("Name v1.2.3") and
 * string metadata, plus its life cycle: published events settle with `waitForAck()`, subscribed
 * events are answered with `ack()` / `nack(code)`.
 */
export class EnsignEvent {
  data: Uint8Array;
  mimetype: MimeValue;
  type: EventTypeVersion;
  meta: Record<string, string>;
  created: Date;
  /** The event's RLID text once received from the server. */
  id: string | undefined;
  /** The topic id (ULID text) of a received event. */
  topicId: string | undefined;
  committed: Date | undefined;
  error: NackError | undefined;
  #state: EventState = "initialized";
  #settled: Promise<PublishAck> | undefined;
  #delivery: Delivery | undefined;

  constructor(init: EventInit, received?: Received) {
    if (received) {
      this.data = init.data;
      this.mimetype = received.mimetype;
      this.type = received.type;
      this.meta = { ...(init.meta ?? {}) };
      this.created = received.created;
      this.id = received.id;
      this.topicId = received.topicId;
      this.committed = received.committed;
      this.error = undefined;
      this.#delivery = received.delivery;
      this.#state = received.delivery ? "subscribed" : "initialized";
      return;
    }
    if (!(init?.data instanceof Uint8Array) || init.data.length === 0) {
      throw new ValidationError("An Ensign event needs non-empty data bytes", "data");
    }
    const schemaName = (init.schemaName ?? "Unknown").trim();
    if (schemaName === "") throw new ValidationError("The schema name cannot be empty", "schemaName");
    this.data = init.data;
    this.mimetype = parseMime(init.mimetype ?? MIME.APPLICATION_JSON);
    this.type = { name: schemaName, ...parseSemver(init.schemaVersion ?? "0.0.0") };
    this.meta = { ...(init.meta ?? {}) };
    this.created = new Date(Math.floor(Date.now() / 1000) * 1000);
    this.id = undefined;
    this.topicId = undefined;
    this.committed = undefined;
    this.error = undefined;
  }

  /** Bytes as-is (octet-stream), strings as text/plain, anything else as JSON, unless told otherwise. */
  static fromObject(value: unknown, options: FromObjectOptions = {}): EnsignEvent {
    const schema = { schemaName: options.schemaName, schemaVersion: options.schemaVersion };
    const mimetype = options.mimetype === undefined ? undefined : parseMime(options.mimetype);
    if (options.encoder) {
      if (mimetype === undefined) throw new ValidationError("A mimetype is required with an encoder", "mimetype");
      return new EnsignEvent({ data: options.encoder.encode(value), mimetype, ...schema });
    }
    if (value instanceof Uint8Array) return new EnsignEvent({ data: value, mimetype: mimetype ?? MIME.APPLICATION_OCTET_STREAM, ...schema });
    if (typeof value === "string") return new EnsignEvent({ data: utf8.encode(value), mimetype: mimetype ?? MIME.TEXT_PLAIN, ...schema });
    const json = JSON.stringify(value);
    if (json === undefined) throw new ValidationError(`A ${typeof value} has no JSON form`, "data");
    return new EnsignEvent({ data: utf8.encode(json), mimetype: mimetype ?? MIME.APPLICATION_JSON, ...schema });
  }

  /** An event read from a query or a subscription. */
  static fromWrapper(wrapper: EventWrapper, delivery?: Delivery): EnsignEvent {
    const wire = decodeEvent(wrapper.event);
    return new EnsignEvent(
      { data: wire.data, meta: wire.metadata },
      {
        mimetype: wire.mimetype as MimeValue,
        type: {
          name: wire.type?.name ?? "",
          major: wire.type?.major_version ?? 0,
          minor: wire.type?.minor_version ?? 0,
          patch: wire.type?.patch_version ?? 0,
        },
        created: wire.created ? fromTimestamp(wire.created) : new Date(0),
        id: wrapper.id.length === 10 ? rlidToString(wrapper.id) : Buffer.from(wrapper.id).toString("hex"),
        topicId: wrapper.topic_id.length === 16 ? ulidToString(wrapper.topic_id) : undefined,
        committed: wrapper.committed ? fromTimestamp(wrapper.committed) : undefined,
        delivery,
      },
    );
  }

  get state(): EventState {
    return this.#state;
  }

  get mimetypeString(): string {
    return mimeToString(this.mimetype);
  }

  /** "Name v1.2.3". */
  get schema(): string {
    return formatEventType(this.type);
  }

  published(): boolean {
    return this.#state === "published" || this.#state === "acked" || this.#state === "nacked";
  }

  acked(): boolean {
    return this.#state === "acked";
  }

  nacked(): boolean {
    return this.#state === "nacked";
  }

  /** The wire Event this object stands for. */
  toWire(): WireInput<WireEvent> {
    return {
      data: this.data,
      metadata: this.meta,
      mimetype: this.mimetype,
      type: { name: this.type.name, major_version: this.type.major, minor_version: this.type.minor, patch_version: this.type.patch },
      created: toTimestamp(this.created),
    };
  }

  /** JSON → value, text/* → string, anything else → the bytes. */
  decode(): unknown {
    const text = mimeToString(this.mimetype);
    if (text === "application/json" || text === "application/ld+json") return JSON.parse(new TextDecoder().decode(this.data));
    if (text.startsWith("text/")) return new TextDecoder().decode(this.data);
    return this.data;
  }

  /** Resolves with the server's ack; rejects with the typed nack error. */
  waitForAck(): Promise<PublishAck> {
    if (!this.#settled) return Promise.reject(new ValidationError("This event has not been published", "event"));
    return this.#settled;
  }

  /** Tells the server this subscribed event was handled. True if acked (now or before), false if it was nacked. */
  async ack(): Promise<boolean> {
    if (this.#state === "acked") return true;
    if (this.#state === "nacked") return false;
    if (this.#state !== "subscribed" || !this.#delivery) throw new ValidationError("Only an event received by a subscriber can be acked", "event");
    this.#delivery.ack();
    this.#state = "acked";
    return true;
  }

  /** Tells the server this subscribed event was not handled, with a Nack code (e.g. NackCode.UNPROCESSED). */
  async nack(code: number): Promise<boolean> {
    if (this.#state === "nacked") return true;
    if (this.#state === "acked") return false;
    if (this.#state !== "subscribed" || !this.#delivery) throw new ValidationError("Only an event received by a subscriber can be nacked", "event");
    if (!Number.isInteger(code) || code < 0) throw new ValidationError("A nack code must be a non-negative integer", "code");
    this.#delivery.nack(code);
    this.#state = "nacked";
    return true;
  }

  /** @internal Called by the client when the event is queued on a publish stream. */
  trackPublish(settled: Promise<PublishAck>): Promise<PublishAck> {
    this.#state = "queued";
    this.#settled = settled.then(
      (ack) => {
        this.#state = "acked";
        this.committed = ack.committed;
        return ack;
      },
      (error: unknown) => {
        this.#state = "nacked";
        this.error = isNack(error) ? error : undefined;
        throw error;
      },
    );
    // A caller that never waits must not see an unhandled rejection: the error is on `error`.
    this.#settled.catch(() => undefined);
    return this.#settled;
  }
}

function isNack(error: unknown): error is NackError {
  return typeof (error as { nackCode?: unknown } | null)?.nackCode === "number";
}

