import { convertToCommandError } from "@eventstore/db-client";
import {
  AuthenticationError,
  AuthorizationError,
  ConnectionError,
  isSwitchyardError,
  StreamDeletedError,
  StreamNotFoundError,
  UnsupportedOperationError,
  ValidationError,
  WrongExpectedRevisionError,
} from "../../core/errors.js";
import type { ExpectedRevision } from "../../core/event.js";
import { failedBeforeSending } from "../../core/never-sent.js";
import { redactUrl } from "../../core/redact.js";

/** What was being done when the driver failed, so the translated error can say so. */
export interface OperationContext {
  readonly operation: "append" | "read" | "readAll" | "subscribe" | "delete" | "tombstone" | "metadata" | "persistent";
  readonly stream?: string;
  readonly expected?: ExpectedRevision;
  /** Persistent subscription group, for group errors. */
  readonly group?: string;
}

// gRPC status codes (grpc-js `status`), repeated to avoid importing grpc-js here.
const PERMISSION_DENIED = 7;
const UNAUTHENTICATED = 16;

const WRITES = new Set<OperationContext["operation"]>(["append", "delete", "tombstone", "metadata"]);

interface DriverError extends Error {
  type?: string;
  code?: number | string;
  streamName?: string;
  expectedVersion?: unknown;
  actualVersion?: unknown;
  maxAppendSize?: number;
}

/**
 * Translates anything the official client throws into our error tree, with `cause` set to the
 * driver's error. Messages carry no credentials.
 */
export function translateError(error: unknown, context: OperationContext): Error {
  if (isSwitchyardError(error)) return error;
  if (!(error instanceof Error)) {
    return new ConnectionError(`EventStoreDB ${context.operation} failed: ${safe(String(error))}`, {
      cause: error,
      outcomeUnknown: WRITES.has(context.operation),
    });
  }
  const driver = convertToCommandError(error) as DriverError;
  const stream = context.stream ?? driver.streamName ?? "";
  const detail = safe(driver.message || error.message);
  switch (driver.type) {
    case "wrong-expected-version":
      return new WrongExpectedRevisionError(
        stream,
        context.expected ?? toExpected(driver.expectedVersion),
        toActual(driver.actualVersion),
        { cause: driver },
      );
    case "stream-not-found":
      return new StreamNotFoundError(stream, { cause: driver });
    case "stream-deleted":
      return new StreamDeletedError(stream, { cause: driver });
    case "access-denied":
      return driver.code === UNAUTHENTICATED
        ? new AuthenticationError("EventStoreDB did not accept the credentials (wrong or missing user name or password)", {
            cause: driver,
          })
        : new AuthorizationError(`EventStoreDB denied access to ${describe(context)}`, { cause: driver });
    case "maximum-append-size-exceeded":
      return new ValidationError(
        `Append to "${stream}" exceeds the server's maximum append size` +
          (driver.maxAppendSize ? ` of ${driver.maxAppendSize} bytes` : ""),
        "events",
        { cause: driver },
      );
    case "missing-required-metadata-property":
    case "invalid-argument":
    case "invalid-transaction":
      return new ValidationError(`EventStoreDB refused ${describe(context)}: ${detail}`, undefined, { cause: driver });
    case "persistent-subscription-does-not-exist":
      return new StreamNotFoundError(`persistent subscription group "${context.group ?? ""}" on ${stream || "$all"}`, {
        cause: driver,
      });
    case "persistent-subscription-exists":
      return new ValidationError(`Persistent subscription group "${context.group ?? ""}" already exists`, "group", {
        cause: driver,
      });
    case "maximum-subscribers-reached":
      return new ValidationError(
        `Persistent subscription group "${context.group ?? ""}" has reached its maximum number of subscribers`,
        "group",
        { cause: driver },
      );
    case "unsupported":
      return new UnsupportedOperationError(
        "persistentSubscriptions",
        `This EventStoreDB server does not support ${describe(context)}: ${detail}`,
        { cause: driver },
      );
    case "not-leader":
      // The client reconnects to the leader on its own; the write was refused, not lost.
      return new ConnectionError(`EventStoreDB node is not the leader; retry ${describe(context)}`, { cause: driver });
  }
  if (driver.code === UNAUTHENTICATED) {
    return new AuthenticationError("EventStoreDB did not accept the credentials", { cause: driver });
  }
  if (driver.code === PERMISSION_DENIED) {
    return new AuthorizationError(`EventStoreDB denied access to ${describe(context)}`, { cause: driver });
  }
  // unavailable, deadline-exceeded, cancelled (server/disconnect), timeout, persistent-subscription-dropped, unknown.
  const outcomeUnknown = WRITES.has(context.operation) && !failedBeforeSending(error);
  return new ConnectionError(
    `EventStoreDB ${describe(context)} failed: ${detail}` +
      (outcomeUnknown ? " (the write may or may not have been stored; retry with the same event ids)" : ""),
    { cause: driver, outcomeUnknown },
  );
}

function describe(context: OperationContext): string {
  const what = context.operation === "persistent" ? `persistent subscription "${context.group ?? ""}"` : context.operation;
  return context.stream ? `${what} on "${context.stream}"` : what;
}

function toExpected(value: unknown): ExpectedRevision {
  if (value === "no_stream" || value === "stream_exists" || value === "any") return value;
  if (typeof value === "bigint") {
    if (value === -1n) return "no_stream";
    if (value === -4n) return "stream_exists";
    if (value < 0n) return "any";
    return value;
  }
  return "any";
}

function toActual(value: unknown): bigint | "no_stream" {
  if (typeof value === "bigint" && value >= 0n) return value;
  return "no_stream";
}

/** Driver messages may echo a connection string; hide anything credential-shaped. */
function safe(message: string): string {
  return redactUrl(message).replace(/(authorization:?\s*basic\s+)\S+/gi, "$1***");
}
