import {
  AuthenticationError,
  AuthorizationError,
  ConnectionError,
  SwitchyardError,
  UnsupportedOperationError,
  ValidationError,
} from "../../core/errors.js";
import { NackCode } from "./wire/enums.js";

/** gRPC status codes (numbers are the gRPC contract), so this file needs no gRPC import. */
export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

const STATUS_NAMES = new Map<number, string>(Object.entries(GrpcStatus).map(([name, code]) => [code, name]));
const NACK_NAMES = new Map<number, string>(Object.entries(NackCode).map(([name, code]) => [code, name]));

export function grpcStatusName(code: number): string {
  return STATUS_NAMES.get(code) ?? `STATUS_${code}`;
}

export function nackCodeName(code: number): string {
  return NACK_NAMES.get(code) ?? `CODE_${code}`;
}

/** The parts of a grpc-js ServiceError this file reads. */
export interface GrpcErrorLike {
  code?: number;
  details?: string;
  message?: string;
}

export function grpcCode(error: unknown): number | undefined {
  const code = (error as GrpcErrorLike | null)?.code;
  return typeof code === "number" ? code : undefined;
}

/** A topic name or id that the project does not have. */
export class TopicNotFoundError extends ValidationError {
  constructor(
    readonly topic: string,
    options?: { cause?: unknown },
  ) {
    super(`Ensign topic "${topic}" was not found`, "topic", options);
  }
}

/** CreateTopic with a name the project already uses. */
export class TopicExistsError extends ValidationError {
  constructor(
    readonly topic: string,
    options?: { cause?: unknown },
  ) {
    super(`Ensign topic "${topic}" already exists`, "topic", options);
  }
}

/** EnSQL refused the query (INVALID_ARGUMENT: empty, unparsable, unknown topic). */
export class InvalidQueryError extends ValidationError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, "query", options);
  }
}

/** A query cursor had no rows to give. */
export class NoRowsError extends ValidationError {
  constructor(query: string) {
    super(`EnSQL query returned no rows: ${query}`, "query");
  }
}

/** Translates a gRPC error from `method` into the error tree, `cause` set to the original. */
export function fromGrpcError(error: unknown, method: string): SwitchyardError {
  if (error instanceof SwitchyardError) return error;
  const code = grpcCode(error);
  const details = (error as GrpcErrorLike | null)?.details || (error as Error | null)?.message || "no details";
  const message = `Ensign ${method} failed: ${code === undefined ? "error" : grpcStatusName(code)}: ${details}`;
  const options = { cause: error };
  switch (code) {
    case GrpcStatus.UNAUTHENTICATED:
      return new AuthenticationError(message, options);
    case GrpcStatus.PERMISSION_DENIED:
      return new AuthorizationError(message, options);
    case GrpcStatus.INVALID_ARGUMENT:
      return method === "EnSQL" ? new InvalidQueryError(message, options) : new ValidationError(message, undefined, options);
    case GrpcStatus.NOT_FOUND:
    case GrpcStatus.ALREADY_EXISTS:
    case GrpcStatus.FAILED_PRECONDITION:
    case GrpcStatus.OUT_OF_RANGE:
      return new ValidationError(message, undefined, options);
    case GrpcStatus.UNIMPLEMENTED:
      return new UnsupportedOperationError(method, message, options);
    default:
      return new ConnectionError(message, options);
  }
}

/** Errors worth a reconnect (transport trouble) as opposed to refusals that will repeat. */
export function isRetryableGrpcError(error: unknown): boolean {
  const code = grpcCode(error);
  return (
    code === undefined ||
    code === GrpcStatus.UNAVAILABLE ||
    code === GrpcStatus.CANCELLED ||
    code === GrpcStatus.UNKNOWN ||
    code === GrpcStatus.INTERNAL ||
    code === GrpcStatus.DEADLINE_EXCEEDED ||
    code === GrpcStatus.ABORTED ||
    code === GrpcStatus.RESOURCE_EXHAUSTED
  );
}

// --- Nacks: each code family becomes a typed error in the tree -------------------------------

export interface NackDetails {
  readonly nackCode: number;
  readonly nackName: string;
}

/** The event is larger than the server's 5,243,000-byte limit (MAX_EVENT_SIZE_EXCEEDED). */
export class EventTooLargeError extends ValidationError implements NackDetails {
  readonly nackCode: number = NackCode.MAX_EVENT_SIZE_EXCEEDED;
  readonly nackName = "MAX_EVENT_SIZE_EXCEEDED";
  constructor(message: string) {
    super(message, "event");
  }
}

/**
 * An event larger than the server receives (its gRPC message limit, 4 MiB on a stock server):
 * refused before sending, or failed when the server reset the publish stream for it. Never
 * stored, and never re-sent (it would break the stream again).
 */
export class PublishTooLargeError extends ValidationError {
  constructor(
    /** The serialized Ensign event, in bytes. */
    readonly size: number,
    /** The largest serialized event the server accepts, in bytes. */
    readonly limit: number,
    message: string,
    field = "event",
    options?: { cause?: unknown },
  ) {
    super(message, field, options);
  }
}

/** The topic cannot take events: unknown to the stream, archived or being deleted. */
export class TopicUnavailableError extends ValidationError implements NackDetails {
  constructor(
    readonly nackCode: number,
    readonly nackName: string,
    message: string,
  ) {
    super(message, "topic");
  }
}

/** The server refused the publisher (PERMISSION_DENIED nack). */
export class PublishDeniedError extends AuthorizationError implements NackDetails {
  readonly nackCode: number = NackCode.PERMISSION_DENIED;
  readonly nackName = "PERMISSION_DENIED";
}

/** The server could not store the event (consensus, sharding, redirect, internal): retry is safe. */
export class PublishFailedError extends ConnectionError implements NackDetails {
  constructor(
    readonly nackCode: number,
    readonly nackName: string,
    message: string,
  ) {
    super(message);
  }
}

/** Any other nack (unknown or client-side codes). */
export class EventRejectedError extends ValidationError implements NackDetails {
  constructor(
    readonly nackCode: number,
    readonly nackName: string,
    message: string,
  ) {
    super(message, "event");
  }
}

/** The typed errors an Ensign nack becomes. */
export type NackError = EventTooLargeError | TopicUnavailableError | PublishDeniedError | PublishFailedError | EventRejectedError;

/** Turns a publish Nack into its typed error. */
export function nackToError(code: number, serverMessage: string): NackError {
  const name = nackCodeName(code);
  const message = `Ensign nacked the event: ${name}${serverMessage ? `: ${serverMessage}` : ""}`;
  switch (code) {
    case NackCode.MAX_EVENT_SIZE_EXCEEDED:
      return new EventTooLargeError(message);
    case NackCode.TOPIC_UNKNOWN:
    case NackCode.TOPIC_ARCHIVED:
    case NackCode.TOPIC_DELETED:
      return new TopicUnavailableError(code, name, message);
    case NackCode.PERMISSION_DENIED:
      return new PublishDeniedError(message);
    case NackCode.CONSENSUS_FAILURE:
    case NackCode.SHARDING_FAILURE:
    case NackCode.REDIRECT:
    case NackCode.INTERNAL:
      return new PublishFailedError(code, name, message);
    default:
      return new EventRejectedError(code, name, message);
  }
}

/** True for any of the errors an Ensign nack becomes. */
export function isNackError(error: unknown): error is NackError {
  return typeof (error as Partial<NackDetails> | null)?.nackCode === "number";
}
