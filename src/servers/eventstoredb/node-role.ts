// A node's place in its cluster, as the services ask it: is this node the leader, where is the
// leader, who are the members (gossip), and when is a write acknowledged. A single node is always
// the leader and acknowledges a write as soon as it is in the log; the three-node mode
// (cluster.ts) gives each node a role over one shared log.
import type { Metadata } from "@grpc/grpc-js";

export type NodeState = "leader" | "follower";

export interface Member {
  readonly instanceId: string;
  readonly state: NodeState;
  readonly alive: boolean;
  readonly host: string;
  readonly port: number;
}

export interface NodeRole {
  readonly state: NodeState;
  /** The leader's advertised HTTP end point, for the not-leader trailers. */
  leader(): { readonly host: string; readonly port: number };
  /** Every member as gossip lists it. */
  members(): readonly Member[];
  /**
   * Called once a write is in the log: `acknowledge` when the cluster has it, or `cancel` when
   * the leader lost leadership before (the client then cannot know the outcome).
   */
  commit(acknowledge: () => void, cancel: () => void): void;
}

/** The `requires-leader` header as the server reads it (bool.TryParse: "true" in any case). */
export function requiresLeader(metadata: Metadata): boolean {
  const [value] = metadata.get("requires-leader");
  return typeof value === "string" && value.trim().toLowerCase() === "true";
}

/** A single node: the leader of a cluster of one. */
export function singleNodeRole(self: () => Member): NodeRole {
  return {
    state: "leader",
    leader: () => self(),
    members: () => [self()],
    commit: (acknowledge) => acknowledge(),
  };
}
