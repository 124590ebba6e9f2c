// gRPC errors exactly as EventStoreDB's RpcExceptions builds them: status code, message and the
// trailer keys the official client dereferences (a missing key makes the client crash instead of
// raising its typed error).
import { Metadata, status, type ServiceError } from "@grpc/grpc-js";

export const MAX_APPEND_SIZE = 1_048_576;

export function rpcError(code: status, details: string, trailers: Record<string, string> = {}): ServiceError {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(trailers)) metadata.set(key, value);
  const error = new Error(details) as ServiceError;
  error.code = code;
  error.details = details;
  error.metadata = metadata;
  return error;
}

export const accessDenied = (): ServiceError =>
  rpcError(status.PERMISSION_DENIED, "Access Denied", { exception: "access-denied" });

/** What a client sees when the authentication middleware answers HTTP 401. */
export const unauthenticated = (): ServiceError => rpcError(status.UNAUTHENTICATED, "Unauthenticated");

/**
 * A follower refusing a call that requires the leader (RpcExceptions.LeaderInfo): NOT_FOUND,
 * "Leader info available", and the leader's advertised HTTP end point in the trailers, which the
 * client reconnects to.
 */
export const notLeader = (leader: { readonly host: string; readonly port: number }): ServiceError =>
  rpcError(status.NOT_FOUND, "Leader info available", {
    exception: "not-leader",
    "leader-endpoint-host": leader.host,
    "leader-endpoint-port": String(leader.port),
  });

/** RpcExceptions.ServerNotReady: a follower's persistent subscription service is not started. */
export const serverNotReady = (): ServiceError => rpcError(status.UNAVAILABLE, "Server Is Not Ready");

/**
 * RpcExceptions.Timeout: an append the leader had not acknowledged when it lost leadership (the
 * request manager completes it with CommitTimeout, "Request canceled by server").
 */
export const requestCanceledByServer = (): ServiceError =>
  rpcError(status.ABORTED, "Operation timed out: Request canceled by server");

export const streamDeleted = (stream: string): ServiceError =>
  rpcError(status.FAILED_PRECONDITION, `Event stream '${stream}' is deleted.`, {
    exception: "stream-deleted",
    "stream-name": stream,
  });

export const wrongExpectedVersion = (
  operation: string,
  stream: string,
  expected: bigint,
  actual: bigint | undefined,
): ServiceError =>
  rpcError(
    status.FAILED_PRECONDITION,
    `${operation} failed due to WrongExpectedVersion. Stream: ${stream}, Expected version: ${expected}, Actual version: ${actual ?? ""}`,
    {
      exception: "wrong-expected-version",
      "stream-name": stream,
      "expected-version": expected.toString(),
      "actual-version": actual === undefined ? "" : actual.toString(),
    },
  );

export const maxAppendSizeExceeded = (): ServiceError =>
  rpcError(status.INVALID_ARGUMENT, `Maximum Append Size of ${MAX_APPEND_SIZE} Exceeded.`, {
    exception: "maximum-append-size-exceeded",
    "maximum-append-size": String(MAX_APPEND_SIZE),
  });

export const missingRequiredMetadata = (property: string): ServiceError =>
  rpcError(status.INVALID_ARGUMENT, `Required Metadata Property '${property}' is missing`, {
    exception: "missing-required-metadata-property",
    "required-metadata-properties": "type,content-type",
  });

export const invalidArgument = (message: string): ServiceError => rpcError(status.INVALID_ARGUMENT, message);

export const persistentSubscriptionDoesNotExist = (stream: string, group: string): ServiceError =>
  rpcError(status.NOT_FOUND, `Subscription group ${group} on stream ${stream} does not exist.`, {
    exception: "persistent-subscription-does-not-exist",
    "stream-name": stream,
    "group-name": group,
  });

export const persistentSubscriptionExists = (stream: string, group: string): ServiceError =>
  rpcError(status.ALREADY_EXISTS, `Subscription group ${group} on stream ${stream} exists.`, {
    exception: "persistent-subscription-exists",
    "stream-name": stream,
    "group-name": group,
  });

export const maximumSubscribersReached = (stream: string, group: string): ServiceError =>
  rpcError(
    status.FAILED_PRECONDITION,
    `Maximum subscriptions reached for subscription group ${group} on stream ${stream}.`,
    { exception: "maximum-subscribers-reached", "stream-name": stream, "group-name": group },
  );

export const persistentSubscriptionDropped = (stream: string, group: string): ServiceError =>
  rpcError(status.CANCELLED, `Subscription group ${group} on stream ${stream} was dropped.`, {
    exception: "persistent-subscription-dropped",
    "stream-name": stream,
    "group-name": group,
  });

/** ProjectionManagement.ProjectionNotFound: a plain NOT_FOUND status, no trailers. */
export const projectionNotFound = (name: string): ServiceError =>
  rpcError(status.NOT_FOUND, `Projection '${name}' not found`);

/** What the server's gRPC layer answers when the manager replies with something unexpected. */
export const unexpectedReply = (expected: string, received: string): ServiceError =>
  rpcError(status.UNKNOWN, `Envelope callback expected ${expected}, received ${received} instead`);

/**
 * User-defined (JavaScript) projections: this server has no JavaScript engine, so it answers as a
 * server without that method does (UNIMPLEMENTED), saying why.
 */
export const userProjectionsUnsupported = (): ServiceError =>
  rpcError(
    status.UNIMPLEMENTED,
    "User-defined projections are not supported by this server: it runs the system projections only (no JavaScript engine).",
  );
