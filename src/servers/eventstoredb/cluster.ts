// The three-node mode: three servers in this process over one shared log, node 0 the leader at
// start. Gossip on every node lists the three members (leader/follower, alive while running);
// followers serve reads and forward writes unless the call requires the leader, which they
// refuse with NotLeader naming the leader's end point; persistent subscriptions are the leader's.
// Test hooks: `electLeader()` moves leadership on demand, and `holdAcknowledgements()` keeps
// writes in flight (in the log, not yet acknowledged) so a leader change can catch them: they
// then fail as on the server when its request manager gives them up ("Request canceled by
// server"), their outcome unknown to the client; the shared log keeps them, as a cluster keeps a
// write that reached a quorum before the old leader stepped down.
import { randomUUID } from "node:crypto";
import { persistentSubscriptionDropped } from "./errors.js";
import type { Member, NodeRole, NodeState } from "./node-role.js";
import { PersistentSubscriptions } from "./persistent-service.js";
import { EmulatorServer } from "./server.js";
import { EventStore } from "./store.js";

export const CLUSTER_SIZE = 3;

export interface ClusterNode {
  readonly index: number;
  readonly port: number;
  /** This node alone: `esdb://127.0.0.1:PORT?tls=false`. */
  readonly connectionString: string;
  readonly state: NodeState;
  readonly running: boolean;
  /** Forced stop, as a crash; gossip then reports the node dead (no election follows). */
  stop(): Promise<void>;
  /** Starts the node again on its port. */
  restart(): Promise<void>;
  /** Calls this node received whose method path starts with `prefix`. */
  callsServed(prefix?: string): number;
}

export interface EventStoreCluster {
  /** The three nodes as gossip seeds: `esdb://127.0.0.1:P0,127.0.0.1:P1,127.0.0.1:P2?tls=false`. */
  readonly connectionString: string;
  readonly nodes: readonly ClusterNode[];
  /** Index of the leader. */
  readonly leader: number;
  /** The shared log, for assertions. */
  readonly store: EventStore;
  /** Writes in the log whose acknowledgement is held (see holdAcknowledgements). */
  readonly unacknowledged: number;
  /**
   * Leadership moves to `index` (default: the next node): writes still unacknowledged fail,
   * persistent subscription connections are dropped, and the old leader becomes a follower.
   */
  electLeader(index?: number): void;
  /** From now on, appends are written to the log but their acknowledgement waits. */
  holdAcknowledgements(): void;
  /** Acknowledges the held writes and stops holding. */
  releaseAcknowledgements(): void;
  /** Stops the three nodes for good. */
  close(): Promise<void>;
}

interface Pending {
  readonly acknowledge: () => void;
  readonly cancel: () => void;
}

export async function startEventStoreCluster(): Promise<EventStoreCluster> {
  const store = new EventStore(undefined);
  const persistent = new PersistentSubscriptions(store);
  const instanceIds = Array.from({ length: CLUSTER_SIZE }, () => randomUUID());
  const servers: EmulatorServer[] = [];
  let leader = 0;
  let holding = false;
  let held: Pending[] = [];

  const member = (index: number): Member => ({
    instanceId: instanceIds[index]!,
    state: index === leader ? "leader" : "follower",
    alive: servers[index]?.running === true,
    host: "127.0.0.1",
    port: servers[index]?.port ?? 0,
  });
  const roleOf = (index: number): NodeRole => ({
    get state() {
      return index === leader ? "leader" : "follower";
    },
    leader: () => member(leader),
    members: () => instanceIds.map((_, i) => member(i)),
    commit(acknowledge, cancel) {
      if (holding) held.push({ acknowledge, cancel });
      else acknowledge();
    },
  });

  try {
    for (let index = 0; index < CLUSTER_SIZE; index++) {
      const server = new EmulatorServer({ port: 0, cluster: { role: roleOf(index), store, persistent } });
      servers.push(server);
      await server.start();
    }
  } catch (error) {
    for (const server of servers) server.dispose();
    throw error;
  }

  const nodes = servers.map(
    (server, index): ClusterNode => ({
      index,
      port: server.port,
      connectionString: `esdb://127.0.0.1:${server.port}?tls=false`,
      get state() {
        return server.role.state;
      },
      get running() {
        return server.running;
      },
      stop: () => server.stop(),
      callsServed: (prefix) => server.callsServed(prefix),
      restart: async () => {
        await server.stop();
        await server.start();
      },
    }),
  );

  return {
    connectionString: `esdb://${servers.map((server) => `127.0.0.1:${server.port}`).join(",")}?tls=false`,
    nodes,
    store,
    get leader() {
      return leader;
    },
    get unacknowledged() {
      return held.length;
    },
    electLeader(index = (leader + 1) % CLUSTER_SIZE) {
      if (!Number.isInteger(index) || index < 0 || index >= CLUSTER_SIZE) {
        throw new RangeError(`A node index is 0 to ${CLUSTER_SIZE - 1}, not ${index}`);
      }
      leader = index;
      holding = false;
      const cancelled = held;
      held = [];
      for (const pending of cancelled) pending.cancel();
      // The old leader's persistent subscription service stops and drops its clients.
      for (const group of persistent.groups.values()) group.dropAll(persistentSubscriptionDropped(group.source, group.name));
    },
    holdAcknowledgements() {
      holding = true;
    },
    releaseAcknowledgements() {
      holding = false;
      const released = held;
      held = [];
      for (const pending of released) pending.acknowledge();
    },
    async close() {
      const cancelled = held;
      held = [];
      for (const pending of cancelled) pending.cancel();
      await Promise.all(servers.map((server) => server.shutdown(0)));
      for (const server of servers) server.dispose();
      store.detachListeners();
      persistent.disconnectAll();
    },
  };
}
