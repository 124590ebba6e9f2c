import { readFile } from "node:fs/promises";
import { connect, credsAuthenticator, type NatsConnection, type NodeConnectionOptions } from "@nats-io/transport-node";
import {
  jetstream,
  jetstreamManager,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
  type StreamInfo,
} from "@nats-io/jetstream";
import { ClosedError, ConfigurationError } from "../../core/errors.js";
import { DEFAULT_DUPLICATE_WINDOW_MS, DEFAULT_TIMEOUT_MS, secretsOf, streamNameOf, type NatsConfig } from "./config.js";
import { translateNatsError, type NatsContext } from "./errors.js";
import type { Entry } from "./event-mapping.js";
import { SubjectLayout } from "./subjects.js";

/** JetStream's error for a stream that does not exist. */
const STREAM_NOT_FOUND = 10059;

/**
 * How an append makes its expected revision hold. "subject": `Nats-Expected-Last-Subject-Sequence`
 * alone. "stream": also `Nats-Expected-Last-Sequence`, because a replicated stream on a server
 * before 2.9.21 checks the per-subject expectation only against what is already applied, so two
 * concurrent appends expecting the same message can both be stored (nats-server #4320); the
 * stream-wide expectation is checked when each message is applied, in order.
 */
export type Consistency = "subject" | "stream";

export interface Store {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly consistency: Consistency;
  readonly duplicateWindowMs: number;
}

/** One NATS connection, opened on first use, and the store's JetStream stream, created if missing. */
export class Connection {
  readonly layout: SubjectLayout;
  readonly #secrets: readonly string[];
  readonly timeoutMs: number;
  /** The last message this process appended per subject (bounded): an append's likely tail. */
  readonly tails = new BoundedMap<string, Entry>(10_000);
  /** The stream's last sequence as this process last saw it ("stream" consistency only). */
  streamLast: number | undefined;
  #store: Promise<Store> | undefined;
  #closed = false;

  // Private: the config holds the password or token.
  readonly #config: NatsConfig;

  constructor(config: NatsConfig) {
    this.#config = config;
    this.layout = new SubjectLayout(streamNameOf(config));
    this.#secrets = secretsOf(config);
    this.timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  get streamName(): string {
    return this.layout.name;
  }

  /** The open store; a failed attempt is retried by the next call. */
  store(): Promise<Store> {
    if (this.#closed) return Promise.reject(new ClosedError("This EventStream has been closed"));
    this.#store ??= this.#open().catch((error: unknown) => {
      this.#store = undefined;
      throw this.translate(error, { operation: "connect" });
    });
    return this.#store;
  }

  /** Runs a request, translating its errors. */
  async run<T>(context: Omit<NatsContext, "secrets">, body: (store: Store) => Promise<T>): Promise<T> {
    const store = await this.store();
    try {
      return await body(store);
    } catch (error) {
      throw this.translate(error, context);
    }
  }

  translate(error: unknown, context: Omit<NatsContext, "secrets">): Error {
    return translateNatsError(error, { ...context, secrets: this.#secrets });
  }

  async #open(): Promise<Store> {
    const options: NodeConnectionOptions = {
      servers: [...this.#config.servers],
      name: "switchyard-events",
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      timeout: this.timeoutMs,
    };
    if (this.#config.user !== undefined) {
      options.user = this.#config.user;
      options.pass = this.#config.password ?? "";
    }
    if (this.#config.token !== undefined) options.token = this.#config.token;
    if (this.#config.credsFile !== undefined) {
      let creds: Uint8Array;
      try {
        creds = await readFile(this.#config.credsFile);
      } catch (error) {
        throw new ConfigurationError(`Cannot read the NATS creds file (${(error as { code?: string }).code ?? "unreadable"})`);
      }
      const text = new TextDecoder().decode(creds);
      if (!text.includes("BEGIN NATS USER JWT") || !text.includes("BEGIN USER NKEY SEED")) {
        throw new ConfigurationError("The NATS creds file holds no user JWT and NKey seed (a .creds file from nsc or the NATS account server is expected)");
      }
      options.authenticator = credsAuthenticator(creds);
    }
    const nc = await connect(options);
    try {
      const jsm = await jetstreamManager(nc, { timeout: this.timeoutMs });
      const info = await this.#ensureStream(jsm);
      return {
        nc,
        jsm,
        js: jetstream(nc, { timeout: this.timeoutMs }),
        consistency: consistencyFor(info.config.num_replicas, nc.info?.version),
        duplicateWindowMs: Math.round(info.config.duplicate_window / 1_000_000),
      };
    } catch (error) {
      await nc.close().catch(() => undefined);
      throw error;
    }
  }

  async #ensureStream(jsm: JetStreamManager): Promise<StreamInfo> {
    const name = this.streamName;
    try {
      const info = await jsm.streams.info(name);
      if (!info.config.subjects?.includes(this.layout.all)) {
        throw new ConfigurationError(
          `The JetStream stream "${name}" exists but does not take the subjects "${this.layout.all}" this store writes: ` +
            "name a stream of its own (?stream=…)",
        );
      }
      return info;
    } catch (error) {
      if (!(error instanceof JetStreamApiError && error.code === STREAM_NOT_FOUND)) throw error;
    }
    return jsm.streams.add({
      name,
      subjects: [this.layout.all],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      num_replicas: this.#config.replicas ?? 1,
      duplicate_window: (this.#config.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS) * 1_000_000,
      // Limits: none, so events are kept until deleted through the port.
    });
  }

  /** Deletes the JetStream stream with every event in it (tests and tooling). */
  async deleteStream(): Promise<void> {
    await this.run({ operation: "delete the JetStream stream" }, async ({ jsm }) => {
      await jsm.streams.delete(this.streamName).catch((error: unknown) => {
        if (!(error instanceof JetStreamApiError && error.code === STREAM_NOT_FOUND)) throw error;
      });
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const store = await this.#store?.catch(() => undefined);
    await store?.nc.close().catch(() => undefined);
  }
}

/** A Map that forgets its oldest entries past `limit`. */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly limit: number) {
    super();
  }

  override set(key: K, value: V): this {
    this.delete(key);
    super.set(key, value);
    if (this.size > this.limit) this.delete(this.keys().next().value as K);
    return this;
  }
}

/** Versions before 2.9.21 mishandle the per-subject expectation on replicated streams (nats-server #4320). */
export function consistencyFor(replicas: number, serverVersion: string | undefined): Consistency {
  if (replicas <= 1) return "subject";
  const [major = 0, minor = 0, patch = 0] = (serverVersion ?? "0.0.0").split(/[.-]/).map((n) => Number.parseInt(n, 10) || 0);
  const fixed = major > 2 || (major === 2 && (minor > 9 || (minor === 9 && patch >= 21)));
  return fixed ? "subject" : "stream";
}
