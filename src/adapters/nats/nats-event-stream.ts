import { CodecRegistry } from "../../core/codec.js";
import { EventStreamRuntime } from "../../core/runtime.js";
import { checkedNatsConfig, natsConfigFromUrl, type NatsConfig } from "./config.js";
import { NatsDriver } from "./nats-driver.js";

/** Options of `createNatsEventStream`. */
export interface NatsEventStreamOptions {
  /** A `nats://` URL or a config object. */
  readonly connection: string | URL | Omit<NatsConfig, "backend">;
  /** Codecs for content types beyond json, octet-stream and text. */
  readonly codecs?: CodecRegistry;
}

/** Opens a NATS JetStream store; the connection opens, and the JetStream stream is created, on first use. */
export function createNatsEventStream(options: NatsEventStreamOptions): NatsEventStream {
  const { connection } = options;
  const config =
    typeof connection === "string" || connection instanceof URL
      ? natsConfigFromUrl(connection)
      : checkedNatsConfig({ ...connection, backend: "nats" });
  return new NatsEventStream(config, options.codecs);
}

/** What `connect()` calls with a validated config. */
export function createNatsEventStreamFromConfig(config: NatsConfig): NatsEventStream {
  return new NatsEventStream(config);
}

/** The NATS JetStream driver under core's runtime. */
export class NatsEventStream extends EventStreamRuntime<NatsDriver> {
  constructor(config: NatsConfig, codecs: CodecRegistry = new CodecRegistry()) {
    super(new NatsDriver(config, codecs), { codecs });
  }

  /** The JetStream stream holding this store's events. */
  get streamName(): string {
    return this.driver.connection.streamName;
  }

  /** Deletes the JetStream stream with every event in it (tests and tooling). */
  deleteStream(): Promise<void> {
    return this.driver.connection.deleteStream();
  }
}
