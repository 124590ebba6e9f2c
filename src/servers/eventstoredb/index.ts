/**
 * EventStoreDB wire-level emulator for tests.
 *
 * A @grpc/grpc-js server that registers the service definitions shipped in
 * `@eventstore/db-client/generated/*_grpc_pb.js`, so the official client (and our adapter) talk to
 * it over real gRPC on 127.0.0.1.
 *
 * ```ts
 * const esdb = await startEventStoreEmulator();            // insecure (h2c), port 0 -> random
 * const client = EventStoreDBClient.connectionString(esdb.connectionString);
 * // ... client.dispose(); await esdb.close();
 * ```
 *
 * `startEventStoreEmulator(options?: { port?: number; tls?: boolean; users?: Record<string, string> })`
 * resolves to an {@link EventStoreEmulator}:
 * - `port`: the bound port (stays the same across restarts).
 * - `connectionString`: `esdb://127.0.0.1:PORT?tls=false`, or with `tls: true`
 *   `esdb://127.0.0.1:PORT?tls=true&tlsCAFile=<caFile>` (add `user:password@` yourself).
 * - `caFile`: path of the test CA certificate (TLS mode only), made with openssl at start.
 * - `stop()`: forced shutdown (open subscriptions and BatchAppend streams are cancelled), data kept.
 * - `restart()`: binds the same port again (after `stop()`, or stops first), data kept.
 * - `close({ graceMs })`: graceful stop for good: calls in progress get `graceMs` (default 0) to
 *   finish, those still open then end with CANCELLED as on the real server; releases the data
 *   directory and removes the certificate directory.
 * - Plain HTTP/1.1 on the same port: `/health/live` and `/info` as the server answers them, 404
 *   for the rest.
 * - `store`: the in-memory log, for assertions and to move its clock (`store.now`).
 *
 * TLS mode authenticates with HTTP Basic against `users` (default `{ admin: "changeit" }`): wrong
 * credentials -> UNAUTHENTICATED (client: AccessDeniedError); no credentials -> PERMISSION_DENIED
 * with `exception: access-denied`. Without Basic credentials, a user certificate signed by the
 * test CA (`issueUserCertificate`) authenticates its CN's user (unknown user: UNAUTHENTICATED);
 * a client certificate from another CA fails the TLS connection, as on the real server.
 * Insecure mode accepts everything, like `--insecure`.
 *
 * Served: ServerFeatures, Gossip.Read (this node, the leader), Streams (Read, Append, BatchAppend, Delete,
 * Tombstone), PersistentSubscriptions (all 8 RPCs), and with `runProjections` "system"/"all" the
 * Projections service for the system projections. Not registered, so answered UNIMPLEMENTED:
 * Users, Operations, Monitoring (and Projections with the default `runProjections: "none"`).
 *
 * Not reproduced (a real server differs here):
 * - no user-defined (JavaScript) projections: Create/Update answer UNIMPLEMENTED; the system
 *   projections' statistics and checkpoint timing are simplified (docs/servers.md);
 * - ACLs (`$acl`, `$userStreamAcl`) are stored but never enforced; every authenticated user may do
 *   everything, and there are no users/groups beyond the `users` option;
 * - with `dataDir`, the log is kept on disk as JSON lines (one fsync per write), but persistent
 *   subscription groups are not; without it, everything is in memory; no scavenging (soft-deleted and truncated events stay in `$all`, as on
 *   a server that was never scavenged), no chunk files: positions are synthetic byte offsets with
 *   commit == prepare;
 * - a single node is always the leader (`requires-leader` changes nothing); the three-node mode
 *   (`startEventStoreCluster` in cluster.ts: one shared log, gossip with three members,
 *   followers answering NotLeader, leader changes on demand) has no elections or replication;
 * - persistent subscriptions keep state in memory (no checkpoint stream; they survive stop/restart
 *   but not a new emulator), Pinned pins by a hash of the source stream name, `stop` nacks only
 *   re-queue, live/history buffer sizes are echoed but not applied; extra statistics (per
 *   connection push-to-ack times) and counts since the last measurement are reported;
 * - filtered `$all` subscriptions checkpoint by considered-event count as the server does, but do
 *   not send the extra checkpoint the server may emit when switching to live; `fellBehind` is never
 *   sent (the server does not either);
 * - a BatchAppend whose deadline has passed is refused, but writes never time out later;
 * - the `control_option.compatibility` flag (1.x Rust reads) is ignored: no first/last stream
 *   position messages;
 * - UNAUTHENTICATED comes as a gRPC status, where Kestrel answers HTTP 401 (clients map both to
 *   the same code); the emulator uses grpc-js/Node http2, so transport details (keepalive policy,
 *   RST_STREAM rate limits, flow control) are Node's, not Kestrel's.
 */
import type { RunProjections } from "./projections/manager.js";
import { EmulatorServer } from "./server.js";
import type { EventStore } from "./store.js";
import { makeCertificates, type Certificates } from "./tls.js";

export interface EventStoreEmulatorOptions {
  readonly port?: number;
  readonly tls?: boolean;
  readonly users?: Record<string, string>;
  /** Keeps the log in this directory, so a new server on it has the data of the last one. */
  readonly dataDir?: string;
  /** Which projections run: "none" (default, as the real server), "system" or "all". */
  readonly runProjections?: RunProjections;
  /** Enable the system projections at start (default false, as the real server). */
  readonly startStandardProjections?: boolean;
}

export interface EventStoreEmulator {
  readonly port: number;
  readonly connectionString: string;
  readonly caFile?: string;
  readonly store: EventStore;
  /**
   * TLS mode: a user certificate (CN = `user`) signed by the test CA, for the client's
   * `userCertFile`/`userKeyFile`; absent in insecure mode.
   */
  readonly issueUserCertificate?: (user: string) => { readonly certFile: string; readonly keyFile: string };
  stop(): Promise<void>;
  restart(): Promise<void>;
  close(options?: { readonly graceMs?: number }): Promise<void>;
}

export const DEFAULT_USERS: Readonly<Record<string, string>> = { admin: "changeit" };

export async function startEventStoreEmulator(options: EventStoreEmulatorOptions = {}): Promise<EventStoreEmulator> {
  const certificates: Certificates | undefined = options.tls === true ? makeCertificates() : undefined;
  const server = new EmulatorServer({
    port: options.port ?? 0,
    certificates,
    users: options.users ?? DEFAULT_USERS,
    dataDir: options.dataDir,
    runProjections: options.runProjections,
    startStandardProjections: options.startStandardProjections,
  });
  let closed = false;
  try {
    await server.start();
  } catch (error) {
    server.dispose();
    certificates?.remove();
    throw error;
  }
  const port = server.port;
  const connectionString =
    certificates === undefined
      ? `esdb://127.0.0.1:${port}?tls=false`
      : `esdb://127.0.0.1:${port}?tls=true&tlsCAFile=${certificates.caFile}`;
  return {
    port,
    connectionString,
    caFile: certificates?.caFile,
    store: server.store,
    issueUserCertificate: certificates?.issueUserCertificate,
    async stop() {
      await server.stop();
    },
    async restart() {
      if (closed) throw new Error("The emulator was closed");
      await server.stop();
      await server.start();
    },
    async close({ graceMs = 0 } = {}) {
      if (closed) return;
      closed = true;
      await server.shutdown(graceMs);
      server.dispose();
      certificates?.remove();
    },
  };
}
