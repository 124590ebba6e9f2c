/**
 * @grpc/grpc-js service definitions for ensign.v1beta1.Ensign and grpc.health.v1.Health, built
 * from the descriptor. Plain objects: this file needs no runtime import of @grpc/grpc-js, and both
 * `makeGenericClientConstructor(ENSIGN_SERVICE)` and `server.addService(ENSIGN_SERVICE, …)` accept them.
 * Requests/responses are the plain shapes of ./messages.ts (decoded with DECODE_OPTIONS).
 */
import type { MethodDefinition, ServiceDefinition } from "@grpc/grpc-js";
import { decodeMessage, encodeMessage, ensignRoot } from "./codec.js";

export const ENSIGN_SERVICE_NAME = "ensign.v1beta1.Ensign";
export const HEALTH_SERVICE_NAME = "grpc.health.v1.Health";

/** The 13 Ensign RPC names. */
export type EnsignMethodName =
  | "Publish"
  | "Subscribe"
  | "EnSQL"
  | "Explain"
  | "ListTopics"
  | "CreateTopic"
  | "RetrieveTopic"
  | "DeleteTopic"
  | "TopicNames"
  | "TopicExists"
  | "SetTopicPolicy"
  | "Info"
  | "Status";

function buildService(serviceName: string): ServiceDefinition {
  const service = ensignRoot().lookupService(serviceName);
  service.resolveAll();
  const definition: Record<string, MethodDefinition<unknown, unknown>> = {};
  for (const method of service.methodsArray) {
    const requestName = method.resolvedRequestType?.fullName.replace(/^\./, "");
    const responseName = method.resolvedResponseType?.fullName.replace(/^\./, "");
    if (!requestName || !responseName) {
      throw new Error(`unresolved types on ${serviceName}/${method.name}`);
    }
    definition[method.name] = {
      path: `/${serviceName}/${method.name}`,
      requestStream: method.requestStream === true,
      responseStream: method.responseStream === true,
      requestSerialize: (value: unknown) => encodeMessage(requestName, value as object),
      requestDeserialize: (bytes: Buffer) => decodeMessage(requestName, bytes),
      responseSerialize: (value: unknown) => encodeMessage(responseName, value as object),
      responseDeserialize: (bytes: Buffer) => decodeMessage(responseName, bytes),
      originalName: method.name,
    };
  }
  return definition;
}

/** grpc-js definition of ensign.v1beta1.Ensign (13 methods). */
export const ENSIGN_SERVICE: ServiceDefinition = buildService(ENSIGN_SERVICE_NAME);

/** grpc-js definition of grpc.health.v1.Health (Check, Watch). */
export const HEALTH_SERVICE: ServiceDefinition = buildService(HEALTH_SERVICE_NAME);
