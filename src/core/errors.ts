/**
 * The error tree. Every error carries a stable `code`; guards check the code rather than
 * `instanceof`, because a CJS and an ESM copy of this module can both be loaded.
 */
export type ErrorCode =
  | "WRONG_EXPECTED_REVISION"
  | "STREAM_NOT_FOUND"
  | "STREAM_DELETED"
  | "UNSUPPORTED_OPERATION"
  | "CONNECTION"
  | "AUTHENTICATION"
  | "AUTHORIZATION"
  | "SERIALIZATION"
  | "VALIDATION"
  | "CONFIGURATION"
  | "CLOSED"
  | "PARTIAL_APPEND";

/** Options of every error: its `cause`. */
export interface SwitchyardErrorOptions {
  cause?: unknown;
}

/** The root of every error this library throws; branch on `code`. */
export abstract class SwitchyardError extends Error {
  abstract readonly code: ErrorCode;

  constructor(message: string, options?: SwitchyardErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
  }
}

/** The stream was not at the revision the caller expected. */
export class WrongExpectedRevisionError extends SwitchyardError {
  readonly code = "WRONG_EXPECTED_REVISION" as const;
  readonly stream: string;
  readonly expected: ExpectedRevisionDescription;
  /** The stream's current revision, or "no_stream" when it does not exist. */
  readonly actual: bigint | "no_stream";

  constructor(
    stream: string,
    expected: ExpectedRevisionDescription,
    actual: bigint | "no_stream",
    options?: SwitchyardErrorOptions,
  ) {
    super(
      `Append to "${stream}" expected revision ${String(expected)} but the stream is at ${String(actual)}`,
      options,
    );
    this.stream = stream;
    this.expected = expected;
    this.actual = actual;
  }
}

/** Same shape as `ExpectedRevision`, repeated here so errors.ts has no imports. */
export type ExpectedRevisionDescription = "any" | "no_stream" | "stream_exists" | bigint;

/** The stream does not exist. */
export class StreamNotFoundError extends SwitchyardError {
  readonly code = "STREAM_NOT_FOUND" as const;
  constructor(
    readonly stream: string,
    options?: SwitchyardErrorOptions,
  ) {
    super(`Stream "${stream}" was not found`, options);
  }
}

/** The stream was deleted (tombstoned or soft-deleted, as the operation says). */
export class StreamDeletedError extends SwitchyardError {
  readonly code = "STREAM_DELETED" as const;
  constructor(
    readonly stream: string,
    options?: SwitchyardErrorOptions,
  ) {
    super(`Stream "${stream}" has been tombstoned and cannot be used again`, options);
  }
}

/** The backend cannot do this; `capability` names the capability that is missing. */
export class UnsupportedOperationError extends SwitchyardError {
  readonly code = "UNSUPPORTED_OPERATION" as const;
  constructor(
    readonly capability: string,
    message: string,
    options?: SwitchyardErrorOptions,
  ) {
    super(message, options);
  }
}

/** The backend could not be reached or the connection dropped; `outcomeUnknown` when a write was in flight. */
export class ConnectionError extends SwitchyardError {
  readonly code = "CONNECTION" as const;
  /** True when a write was in flight and may or may not have been stored. */
  readonly outcomeUnknown: boolean;
  constructor(message: string, options?: SwitchyardErrorOptions & { outcomeUnknown?: boolean }) {
    super(message, options);
    this.outcomeUnknown = options?.outcomeUnknown ?? false;
  }
}

/** The backend does not know who we are (bad or missing credentials). */
export class AuthenticationError extends SwitchyardError {
  readonly code = "AUTHENTICATION" as const;
}

/** The backend knows who we are and refuses the operation. */
export class AuthorizationError extends SwitchyardError {
  readonly code = "AUTHORIZATION" as const;
}

/** Data that cannot be encoded or decoded with its content type's codec. */
export class SerializationError extends SwitchyardError {
  readonly code = "SERIALIZATION" as const;
  constructor(
    message: string,
    readonly contentType?: string,
    options?: SwitchyardErrorOptions,
  ) {
    super(message, options);
  }
}

/** Input that breaks a rule: `field` names the offending argument or data path. */
export class ValidationError extends SwitchyardError {
  readonly code = "VALIDATION" as const;
  constructor(
    message: string,
    readonly field?: string,
    options?: SwitchyardErrorOptions,
  ) {
    super(message, options);
  }
}

/** A URL, config object or option that cannot be used; says what was expected (secrets masked). */
export class ConfigurationError extends SwitchyardError {
  readonly code = "CONFIGURATION" as const;
}

/** The EventStream (or subscription) was closed and cannot be used. */
export class ClosedError extends SwitchyardError {
  readonly code = "CLOSED" as const;
}

/**
 * A batch on a backend without atomic appends was partly stored (Ensign acknowledges per event).
 * `acknowledged` lists the ids of events that were stored; `failed` the ids that were not.
 */
export class PartialAppendError extends SwitchyardError {
  readonly code = "PARTIAL_APPEND" as const;
  constructor(
    readonly stream: string,
    readonly acknowledged: readonly string[],
    readonly failed: readonly string[],
    options?: SwitchyardErrorOptions,
  ) {
    super(
      `Append to "${stream}" was partly stored: ${acknowledged.length} event(s) acknowledged, ${failed.length} not`,
      options,
    );
  }
}

function hasCode(error: unknown, code: ErrorCode): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === code;
}

/** True for any error of this library (by code, so it holds across module copies). */
export const isSwitchyardError = (e: unknown): e is SwitchyardError =>
  e instanceof Error && ERROR_CODES.has(String((e as { code?: unknown }).code));

const ERROR_CODES = new Set<string>([
  "WRONG_EXPECTED_REVISION",
  "STREAM_NOT_FOUND",
  "STREAM_DELETED",
  "UNSUPPORTED_OPERATION",
  "CONNECTION",
  "AUTHENTICATION",
  "AUTHORIZATION",
  "SERIALIZATION",
  "VALIDATION",
  "CONFIGURATION",
  "CLOSED",
  "PARTIAL_APPEND",
]);

/** True for a `WrongExpectedRevisionError` (by code). */
export const isWrongExpectedRevisionError = (e: unknown): e is WrongExpectedRevisionError =>
  hasCode(e, "WRONG_EXPECTED_REVISION");
/** True for a `StreamNotFoundError` (by code). */
export const isStreamNotFoundError = (e: unknown): e is StreamNotFoundError => hasCode(e, "STREAM_NOT_FOUND");
/** True for a `StreamDeletedError` (by code). */
export const isStreamDeletedError = (e: unknown): e is StreamDeletedError => hasCode(e, "STREAM_DELETED");
/** True for an `UnsupportedOperationError` (by code). */
export const isUnsupportedOperationError = (e: unknown): e is UnsupportedOperationError =>
  hasCode(e, "UNSUPPORTED_OPERATION");
/** True for a `ConnectionError` (by code). */
export const isConnectionError = (e: unknown): e is ConnectionError => hasCode(e, "CONNECTION");
/** True for an `AuthenticationError` (by code, so it holds across module copies). */
export const isAuthenticationError = (e: unknown): e is AuthenticationError => hasCode(e, "AUTHENTICATION");
/** True for an `AuthorizationError` (by code). */
export const isAuthorizationError = (e: unknown): e is AuthorizationError => hasCode(e, "AUTHORIZATION");
/** True for a `SerializationError` (by code). */
export const isSerializationError = (e: unknown): e is SerializationError => hasCode(e, "SERIALIZATION");
/** True for a `ValidationError` (by code). */
export const isValidationError = (e: unknown): e is ValidationError => hasCode(e, "VALIDATION");
/** True for a `ConfigurationError` (by code). */
export const isConfigurationError = (e: unknown): e is ConfigurationError => hasCode(e, "CONFIGURATION");
/** True for a `ClosedError` (by code). */
export const isClosedError = (e: unknown): e is ClosedError => hasCode(e, "CLOSED");
/** True for a `PartialAppendError` (by code). */
export const isPartialAppendError = (e: unknown): e is PartialAppendError => hasCode(e, "PARTIAL_APPEND");
