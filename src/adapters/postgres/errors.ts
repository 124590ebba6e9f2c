import {
  AuthenticationError,
  AuthorizationError,
  ConfigurationError,
  ConnectionError,
  isSwitchyardError,
  StreamDeletedError,
  StreamNotFoundError,
  WrongExpectedRevisionError,
} from "../../core/errors.js";
import type { ExpectedRevision } from "../../core/event.js";
import { failedBeforeSending } from "../../core/never-sent.js";
import { redactSecrets } from "../../core/redact.js";
import { safeCause } from "../../core/safe-cause.js";

/** What was being done when PostgreSQL (or the way to it) failed. */
export interface PgContext {
  readonly operation: string;
  readonly stream?: string;
  readonly expected?: ExpectedRevision;
  /** The request changes data: a failure after it was sent leaves its outcome unknown. */
  readonly write?: boolean;
  /** The request never left this process (the pool could not hand out a connection). */
  readonly notSent?: boolean;
  /** The password, masked wherever it could appear. */
  readonly secrets: readonly string[];
}

/** SQLSTATEs raised by our own functions (schema-sql.ts). */
const WRONG_EXPECTED_REVISION = "SY001";
const TOMBSTONED = "SY002";
const NOT_FOUND = "SY003";

/**
 * Translates a pg (node-postgres) or socket error into our error tree; `cause` is a copy with
 * name, message and code only (pg errors carry the query and the connection's settings).
 */
export function translatePgError(error: unknown, context: PgContext): Error {
  if (isSwitchyardError(error)) return error;
  const cause = safeCause(error, context.secrets);
  const code = typeof (error as { code?: unknown })?.code === "string" ? (error as { code: string }).code : "";
  const message = redactSecrets(error instanceof Error ? error.message : String(error), context.secrets);
  const stream = context.stream ?? "";
  switch (code) {
    case WRONG_EXPECTED_REVISION: {
      const detail = (error as { detail?: unknown }).detail;
      const actual = typeof detail === "string" && /^\d+$/.test(detail) ? BigInt(detail) : "no_stream";
      return new WrongExpectedRevisionError(stream, context.expected ?? "any", actual, { cause });
    }
    case TOMBSTONED:
      return new StreamDeletedError(stream, { cause });
    case NOT_FOUND:
      return new StreamNotFoundError(stream, { cause });
    case "28P01":
    case "28000":
      return new AuthenticationError(`PostgreSQL did not accept the credentials: ${message}`, { cause });
    case "42501":
      return new AuthorizationError(`PostgreSQL refused ${context.operation}: ${message}`, { cause });
    case "3D000":
      return new ConfigurationError(`PostgreSQL: ${message}`, { cause });
  }
  // A server's answer (a SQLSTATE) means the statement ended and, in autocommit, rolled back.
  const answered = /^[0-9A-Z]{5}$/.test(code) && !code.startsWith("08");
  if (answered && !isTransient(code)) {
    return new ConnectionError(`PostgreSQL ${context.operation} failed: ${message}`, { cause, outcomeUnknown: false });
  }
  const neverSent = context.notSent === true || answered || failedBeforeSending(error);
  const outcomeUnknown = context.write === true && !neverSent;
  return new ConnectionError(
    `PostgreSQL ${context.operation} failed: ${message}` + (outcomeUnknown ? " (the write may or may not have been stored)" : ""),
    { cause, outcomeUnknown },
  );
}

/** Server states a retry can get past: shutdown, restart, overload, serialization and deadlock. */
function isTransient(code: string): boolean {
  return code.startsWith("57P") || code.startsWith("53") || code === "40001" || code === "40P01";
}
