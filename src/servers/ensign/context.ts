/** Shared state the RPC handlers of the emulator work on. */
import type { Broker } from "./broker.js";
import type { EnsignStore } from "./store.js";
import type { TokenIssuer } from "./tokens.js";

export interface EmulatorContext {
  store: EnsignStore;
  broker: Broker;
  tokens: TokenIssuer;
  /** Audience access tokens must carry. */
  audience: string;
  /** StreamReady.server_id. */
  serverId: string;
  version: string;
  /** When the gRPC server (re)started, for Status.uptime. */
  startedAt: number;
  nowMs: () => number;
  maintenance: boolean;
  /** Serialized events above this are nacked MAX_EVENT_SIZE_EXCEEDED. */
  maxEventBytes: number;
}
