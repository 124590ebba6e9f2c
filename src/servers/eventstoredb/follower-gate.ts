// What a follower answers where only the leader serves: ClusterVNodeController's
// HandleAsNonLeader refuses persistent subscription create, update, delete and connect with
// NotLeader whatever `requires-leader` says, and the persistent subscription service, started on
// the leader only, answers stats (GetInfo, List) with NotReady ("Server Is Not Ready").
import type {
  ServerDuplexStream,
  ServerUnaryCall,
  ServiceError,
  UntypedServiceImplementation,
  sendUnaryData,
} from "@grpc/grpc-js";
import { notLeader, serverNotReady } from "./errors.js";
import type { NodeRole } from "./node-role.js";

type Unary = (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => void;
type Duplex = (call: ServerDuplexStream<unknown, unknown>) => void;

const NOT_LEADER_UNARY = ["create", "update", "delete"] as const;
const NOT_READY_UNARY = ["getInfo", "list"] as const;

export function persistentOnFollowers<T extends UntypedServiceImplementation>(role: NodeRole, handlers: T): T {
  const gated: UntypedServiceImplementation = { ...handlers };
  const unary = (name: string, refusal: () => ServiceError) => {
    const handler = handlers[name] as unknown as Unary;
    const wrapped: Unary = (call, callback) => (role.state === "leader" ? handler(call, callback) : callback(refusal()));
    gated[name] = wrapped as unknown as UntypedServiceImplementation[string];
  };
  for (const name of NOT_LEADER_UNARY) unary(name, () => notLeader(role.leader()));
  for (const name of NOT_READY_UNARY) unary(name, serverNotReady);
  const read = handlers["read"] as unknown as Duplex;
  const gatedRead: Duplex = (call) => {
    if (role.state === "leader") return read(call);
    call.emit("error", notLeader(role.leader()));
  };
  gated["read"] = gatedRead as unknown as UntypedServiceImplementation[string];
  return gated as T;
}
