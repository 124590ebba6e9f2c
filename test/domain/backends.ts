/**
 * The backends the write-once tests run on: memory always, and every adapter whose server (or
 * emulator) is available here. Each test file builds the same domain code against each entry.
 */
import type { Capabilities } from "../../src/core/capabilities.js";
import { connect } from "../../src/connect.js";
import type { EventStream } from "../../src/core/event-stream.js";
import { createMemoryEventStream } from "../../src/adapters/memory/index.js";
import { createEventStoreDBEventStream } from "../../src/adapters/eventstoredb/index.js";
import { startEventStoreEmulator, type EventStoreEmulator } from "../../src/servers/eventstoredb/index.js";
import { ensignCapabilities } from "../../src/adapters/ensign/index.js";
import { startEnsignServer, type EnsignServer } from "../../src/servers/ensign/index.js";
import { postgresCapabilities } from "../../src/adapters/postgres/index.js";
import { dropSchemas, SHARED_URL, uniqueSchema, urlWithSchema } from "../postgres/schema.js";
import { sqliteCapabilities } from "../../src/adapters/sqlite/index.js";
import { natsCapabilities } from "../../src/adapters/nats/index.js";
import { deleteStreams, uniqueStreamName, urlWithStream } from "../nats/server.js";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface DomainBackend {
  readonly name: string;
  /** Known before any server starts, so cases can be skipped by capability at collection time. */
  readonly capabilities: Capabilities;
  /** The URL `connect()` (and the bank example) uses; starts the server on first use. */
  url(): Promise<string>;
  /** A fresh client; the caller closes it. */
  create(): Promise<EventStream>;
  /** Stops whatever `url()` started. */
  stop(): Promise<void>;
}

function memoryBackend(): DomainBackend {
  // Every `memory:` connection is its own store, so a "client" here is one shared store whose
  // close() is a no-op until stop(): two clients must see the same events, as on a server.
  let shared: EventStream | undefined;
  return {
    name: "memory",
    capabilities: createMemoryEventStream().capabilities,
    url: async () => "memory:",
    create: async () => {
      shared ??= createMemoryEventStream();
      return withNoopClose(shared);
    },
    stop: async () => {
      await shared?.close();
      shared = undefined;
    },
  };
}

function eventStoreDBBackend(): DomainBackend {
  let starting: Promise<EventStoreEmulator> | undefined;
  return {
    name: "eventstoredb (emulator)",
    capabilities: createEventStoreDBEventStream({ config: { tls: false } }).capabilities,
    url: async () => (await (starting ??= startEventStoreEmulator())).connectionString,
    create: async function () {
      return connect(await this.url());
    },
    stop: async () => {
      const emulator = await starting;
      starting = undefined;
      await emulator?.close();
    },
  };
}

/**
 * Ensign through its emulator, with consistency=single-writer (each test process is the only
 * writer of its streams), the configuration under which the command handler runs on Ensign.
 * Credentials go through a credentials file, as a user would keep them, not the URL.
 */
function ensignBackend(): DomainBackend {
  let starting: Promise<{ server: EnsignServer; url: string; dir: string }> | undefined;
  const start = async () => {
    const server = await startEnsignServer();
    const dir = mkdtempSync(join(tmpdir(), "switchyard-ensign-"));
    const credentialsPath = join(dir, "credentials.json");
    writeFileSync(credentialsPath, JSON.stringify({ ClientID: server.clientId, ClientSecret: server.clientSecret }), { mode: 0o600 });
    const url = `${server.url}&consistency=single-writer&credentialsPath=${encodeURIComponent(credentialsPath)}`;
    return { server, url, dir };
  };
  return {
    name: "ensign (emulator, single-writer)",
    capabilities: ensignCapabilities({ consistency: "single-writer" }),
    url: async () => (await (starting ??= start())).url,
    create: async function () {
      return connect(await this.url());
    },
    stop: async () => {
      const started = await starting;
      starting = undefined;
      if (!started) return;
      await started.server.close();
      rmSync(started.dir, { recursive: true, force: true });
    },
  };
}

/** The machine's PostgreSQL, in a schema of this test file's own, dropped by stop(). */
function postgresBackend(): DomainBackend {
  const schema = uniqueSchema("domain");
  const url = urlWithSchema(SHARED_URL, schema);
  let used = false;
  return {
    name: "postgres",
    capabilities: postgresCapabilities,
    url: async () => {
      used = true;
      return url;
    },
    create: async function () {
      return connect(await this.url());
    },
    stop: async () => {
      if (used) await dropSchemas(SHARED_URL, [schema]);
      used = false;
    },
  };
}

/** A SQLite file in a directory of this test file's own, removed by stop(); every client opens the same file. */
function sqliteBackend(): DomainBackend {
  let dir: string | undefined;
  return {
    name: "sqlite",
    capabilities: sqliteCapabilities(),
    url: async () => `sqlite:${join((dir ??= mkdtempSync(join(tmpdir(), "switchyard-sqlite-domain-"))), "events.db")}`,
    create: async function () {
      return connect(await this.url());
    },
    stop: async () => {
      if (dir) rmSync(dir, { recursive: true, force: true });
      dir = undefined;
    },
  };
}

/** The machine's NATS server, in a JetStream stream of this test file's own, deleted by stop(). */
function natsBackend(): DomainBackend {
  const stream = uniqueStreamName("domain");
  let used = false;
  return {
    name: "nats",
    capabilities: natsCapabilities(),
    url: async () => {
      used = true;
      return urlWithStream(stream);
    },
    create: async function () {
      return connect(await this.url());
    },
    stop: async () => {
      if (used) await deleteStreams([stream]);
      used = false;
    },
  };
}

/** Every backend available in this checkout. */
export function availableBackends(): DomainBackend[] {
  return [memoryBackend(), eventStoreDBBackend(), ensignBackend(), postgresBackend(), sqliteBackend(), natsBackend()];
}

function withNoopClose(eventStream: EventStream): EventStream {
  return new Proxy(eventStream, {
    get(target, property) {
      if (property === "close") return async () => undefined;
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
