// The Projections gRPC service as far as the system projections go: Statistics (list and status),
// State, Result, Enable, Disable, Reset, RestartSubsystem; Delete refuses system projections as the
// manager does; Create and Update of user-defined (JavaScript) projections are refused.
// Replies follow src/EventStore.Projections.Core/Services/Grpc/ProjectionManagement.*.cs.
import type { ServerUnaryCall, ServerWritableStream, ServiceError, sendUnaryData } from "@grpc/grpc-js";
import type * as pb from "@eventstore/db-client/generated/projections_pb";
import type { Empty } from "@eventstore/db-client/generated/shared_pb";
import type { Authenticator } from "../auth.js";
import { invalidArgument, projectionNotFound, unexpectedReply, userProjectionsUnsupported } from "../errors.js";
import { projectionsPb, sharedPb, structPb } from "../proto.js";
import type { ProjectionManager } from "./manager.js";

function unary<Req, Res>(
  auth: Authenticator,
  body: (request: Req) => Res,
): (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => void {
  return (call, callback) => {
    const denied = auth.authorize(call.metadata);
    if (denied !== undefined) return callback(denied);
    try {
      callback(null, body(call.request));
    } catch (error) {
      callback(error as ServiceError);
    }
  };
}

/** Native handlers keep no state: the server answers an empty object for state and result. */
const emptyState = () => new structPb.Value().setStructValue(new structPb.Struct());

export function projectionHandlers(manager: ProjectionManager, auth: Authenticator) {
  const known = (name: string): string => {
    if (!manager.has(name)) throw projectionNotFound(name);
    return name;
  };
  return {
    create: unary<pb.CreateReq, pb.CreateResp>(auth, () => {
      throw userProjectionsUnsupported();
    }),

    update: unary<pb.UpdateReq, pb.UpdateResp>(auth, (request) => {
      known(request.getOptions()?.getName() ?? "");
      throw userProjectionsUnsupported();
    }),

    delete: unary<pb.DeleteReq, pb.DeleteResp>(auth, (request) => {
      known(request.getOptions()?.getName() ?? "");
      // ProjectionManager answers OperationFailed ("We currently don't allow for the deletion of
      // System Projections."), which the gRPC layer turns into UNKNOWN.
      throw unexpectedReply("Updated", "OperationFailed");
    }),

    statistics(call: ServerWritableStream<pb.StatisticsReq, pb.StatisticsResp>): void {
      const denied = auth.authorize(call.metadata);
      if (denied !== undefined) {
        call.emit("error", denied);
        return;
      }
      const options = call.request.getOptions();
      if (options === undefined) {
        call.emit("error", invalidArgument("Options were not sent"));
        return;
      }
      const Mode = projectionsPb.StatisticsReq.Options.ModeCase;
      const mode = options.getModeCase();
      let names: string[];
      if (mode === Mode.NAME) {
        const name = options.getName();
        if (!manager.has(name)) {
          call.emit("error", projectionNotFound(name));
          return;
        }
        names = [name];
      } else if (mode === Mode.TRANSIENT || mode === Mode.ONE_TIME) {
        names = [];
      } else {
        names = manager.names();
      }
      for (const name of names) call.write(new projectionsPb.StatisticsResp().setDetails(details(manager, name)));
      call.end();
    },

    state: unary<pb.StateReq, pb.StateResp>(auth, (request) => {
      known(request.getOptions()?.getName() ?? "");
      return new projectionsPb.StateResp().setState(emptyState());
    }),

    result: unary<pb.ResultReq, pb.ResultResp>(auth, (request) => {
      known(request.getOptions()?.getName() ?? "");
      return new projectionsPb.ResultResp().setResult(emptyState());
    }),

    enable: unary<pb.EnableReq, pb.EnableResp>(auth, (request) => {
      manager.enable(known(request.getOptions()?.getName() ?? ""));
      return new projectionsPb.EnableResp();
    }),

    disable: unary<pb.DisableReq, pb.DisableResp>(auth, (request) => {
      const options = request.getOptions();
      manager.disable(known(options?.getName() ?? ""), options?.getWriteCheckpoint() ?? false);
      return new projectionsPb.DisableResp();
    }),

    reset: unary<pb.ResetReq, pb.ResetResp>(auth, (request) => {
      manager.reset(known(request.getOptions()?.getName() ?? ""));
      return new projectionsPb.ResetResp();
    }),

    restartSubsystem: unary<Empty, Empty>(auth, () => new sharedPb.Empty()),
  };
}

function details(manager: ProjectionManager, name: string): pb.StatisticsResp.Details {
  const stats = manager.statistics(name)!;
  return new projectionsPb.StatisticsResp.Details()
    .setCoreprocessingtime("0")
    .setVersion(String(stats.version))
    .setEpoch(String(stats.epoch))
    .setEffectivename(name)
    .setWritesinprogress(0)
    .setReadsinprogress(0)
    .setPartitionscached(1)
    .setStatus(stats.status)
    .setStatereason("")
    .setName(name)
    .setMode("Continuous")
    .setPosition(stats.position)
    .setProgress(stats.progress)
    .setLastcheckpoint(stats.lastCheckpoint)
    .setEventsprocessedafterrestart(String(stats.eventsProcessedAfterRestart))
    .setCheckpointstatus("")
    .setBufferedevents("0")
    .setWritependingeventsbeforecheckpoint(0)
    .setWritependingeventsaftercheckpoint(0);
}
