import type { Capabilities, CapabilityName } from "../../core/capabilities.js";
import type { CodecRegistry } from "../../core/codec.js";
import type { AppendRequest, DeleteRequest, EventStoreDriver, PersistentDriver, ReadAllRequest, ReadRequest } from "../../core/driver.js";
import type { AppendResult, RecordedEvent } from "../../core/event.js";
import type { PreparedEvent } from "../../core/prepare.js";
import type { Feed } from "../../core/subscription.js";
import type { ResolvedTarget } from "../../core/subscription-target.js";
import { appendEvents } from "./append.js";
import { NATS_UNSUPPORTED, natsCapabilities } from "./capabilities.js";
import type { NatsConfig } from "./config.js";
import { Connection } from "./connection.js";
import { deleteStream } from "./delete.js";
import { headerBytes } from "./event-mapping.js";
import { natsFeed } from "./feeds.js";
import { NatsPersistentDriver } from "./persistent.js";
import { POSITION_PARTS } from "./positions.js";
import { readAll, readStream } from "./reads.js";

/**
 * NATS JetStream under core's runtime: one JetStream stream per store, one subject per event
 * stream, one message per event. Translation only: the runtime has checked every request.
 */
export class NatsDriver implements EventStoreDriver {
  readonly capabilities: Capabilities;
  readonly displayName = "NATS JetStream";
  readonly positionParts = POSITION_PARTS;
  readonly unsupported: Partial<Record<CapabilityName, string>> = NATS_UNSUPPORTED;
  readonly persistent: PersistentDriver;
  readonly connection: Connection;
  readonly #codecs: CodecRegistry;

  constructor(config: NatsConfig, codecs: CodecRegistry) {
    this.capabilities = natsCapabilities(config.maxAppendBytes);
    this.connection = new Connection(config);
    this.#codecs = codecs;
    this.persistent = new NatsPersistentDriver(this.connection, codecs);
  }

  /** An event's size as the server counts it against max_payload: data, metadata and headers. */
  appendSizeOf(stream: string, event: PreparedEvent): number {
    return event.size + headerBytes(this.connection.layout.of(stream), event);
  }

  append(request: AppendRequest): Promise<AppendResult> {
    return appendEvents(this.connection, request);
  }

  read(request: ReadRequest): AsyncIterable<RecordedEvent> {
    return readStream(this.connection, this.#codecs, request);
  }

  readAll(request: ReadAllRequest): AsyncIterable<RecordedEvent> {
    return readAll(this.connection, this.#codecs, request);
  }

  feed(target: ResolvedTarget): Feed {
    return natsFeed(this.connection, this.#codecs, target);
  }

  delete(request: DeleteRequest): Promise<void> {
    return deleteStream(this.connection, request, "deleted");
  }

  tombstone(request: DeleteRequest): Promise<void> {
    return deleteStream(this.connection, request, "tombstone");
  }

  async ping(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    await this.connection.run({ operation: "ping" }, async ({ jsm }) => {
      await jsm.getAccountInfo();
    });
  }

  close(): Promise<void> {
    return this.connection.close();
  }
}
