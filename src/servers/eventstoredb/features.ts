// ServerFeatures.GetSupportedMethods built like the real server's: every registered method of a
// `*client*` service, lower-cased, with the features the server attaches. Only what the emulator
// actually serves is listed, so the client never takes a code path the emulator cannot answer.
import type { ServiceDefinition, ServerUnaryCall, sendUnaryData } from "@grpc/grpc-js";
import type { Empty } from "@eventstore/db-client/generated/shared_pb";
import type { SupportedMethods } from "@eventstore/db-client/generated/serverfeatures_pb";
import { featuresPb } from "./proto.js";

export const SERVER_VERSION = "24.10.0";

export function supportedMethods(services: readonly ServiceDefinition[]): SupportedMethods {
  const result = new featuresPb.SupportedMethods().setEventStoreServerVersion(SERVER_VERSION);
  for (const service of services) {
    for (const method of Object.values(service)) {
      const [, serviceName = "", methodName = ""] = method.path.split("/");
      if (!serviceName.includes("client")) continue;
      const features: string[] = [];
      if (serviceName.includes("PersistentSubscriptions")) features.push("stream", "all");
      else if (serviceName.includes("Streams") && methodName.includes("Read")) features.push("position", "events");
      else if (serviceName.includes("Streams") && methodName.includes("BatchAppend")) features.push("deadline_duration");
      else if (serviceName.includes("Projections") && methodName === "Create") features.push("track_emitted_streams");
      result.addMethods(
        new featuresPb.SupportedMethod()
          .setServiceName(serviceName.toLowerCase())
          .setMethodName(methodName.toLowerCase())
          .setFeaturesList(features),
      );
    }
  }
  return result;
}

export function serverFeaturesHandler(services: () => readonly ServiceDefinition[]) {
  return {
    getSupportedMethods(_call: ServerUnaryCall<Empty, SupportedMethods>, callback: sendUnaryData<SupportedMethods>) {
      callback(null, supportedMethods(services()));
    },
  };
}
