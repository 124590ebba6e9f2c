// Gossip.Read as the server's gRPC Gossip service answers it (ToGrpcClusterInfo): every member
// with its instance id (Uuid.ToDto, the structured form), the time stamp in ticks since the Unix
// epoch, its state, whether it is alive, and the HTTP end point advertised to clients.
import type { ServerUnaryCall, UntypedServiceImplementation, sendUnaryData } from "@grpc/grpc-js";
import type { Empty } from "@eventstore/db-client/generated/shared_pb";
import type { ClusterInfo } from "@eventstore/db-client/generated/gossip_pb";
import type { Member } from "./node-role.js";
import { gossipPb } from "./proto.js";
import { uuidMessage } from "./wire.js";

const STATES = { leader: gossipPb.MemberInfo.VNodeState.LEADER, follower: gossipPb.MemberInfo.VNodeState.FOLLOWER };

export function gossipHandlers(members: () => readonly Member[]) {
  return {
    read(_call: ServerUnaryCall<Empty, ClusterInfo>, callback: sendUnaryData<ClusterInfo>): void {
      const ticks = (BigInt(Date.now()) * 10_000n).toString();
      const list = members().map((member) =>
        new gossipPb.MemberInfo()
          .setInstanceId(uuidMessage(member.instanceId, "structured"))
          .setTimeStamp(ticks)
          .setState(STATES[member.state])
          .setIsAlive(member.alive)
          .setHttpEndPoint(new gossipPb.EndPoint().setAddress(member.host).setPort(member.port)),
      );
      callback(null, new gossipPb.ClusterInfo().setMembersList(list));
    },
  } satisfies UntypedServiceImplementation;
}
