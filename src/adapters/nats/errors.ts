import { errors as natsErrors } from "@nats-io/transport-node";
import { JetStreamApiError } from "@nats-io/jetstream";
import {
  AuthenticationError,
  AuthorizationError,
  ConnectionError,
  isSwitchyardError,
} from "../../core/errors.js";
import { redactSecrets } from "../../core/redact.js";
import { safeCause } from "../../core/safe-cause.js";

/** JetStream's "wrong last sequence" (an expectation header did not hold). */
export const WRONG_LAST_SEQUENCE = 10071;

export interface NatsContext {
  readonly operation: string;
  /** The request changes data: a failure after it was sent leaves its outcome unknown. */
  readonly write?: boolean;
  readonly secrets: readonly string[];
}

export function isWrongLastSequence(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.code === WRONG_LAST_SEQUENCE;
}

/**
 * Translates a nats.js error into our tree; `cause` is a copy with name, message and code only.
 * An API error is the server's answer (nothing was stored); a timeout after sending is not.
 */
export function translateNatsError(error: unknown, context: NatsContext): Error {
  if (isSwitchyardError(error)) return error;
  const cause = safeCause(error, context.secrets);
  const message = redactSecrets(error instanceof Error ? error.message : String(error), context.secrets);
  if (error instanceof natsErrors.AuthorizationError || error instanceof natsErrors.UserAuthenticationExpiredError) {
    return new AuthenticationError(`NATS did not accept the credentials: ${message}`, { cause });
  }
  if (error instanceof natsErrors.PermissionViolationError) {
    return new AuthorizationError(`NATS refused ${context.operation}: ${message}`, { cause });
  }
  if (error instanceof JetStreamApiError) {
    return new ConnectionError(`JetStream refused ${context.operation}: ${message} (error ${error.code})`, { cause, outcomeUnknown: false });
  }
  if (noResponders(error)) {
    // No subscriber took the request: nothing received it, so nothing was stored.
    return new ConnectionError(
      `NATS ${context.operation} failed: no JetStream server answered (JetStream not enabled, or the stream has no leader yet)`,
      { cause, outcomeUnknown: false },
    );
  }
  const neverSent = error instanceof natsErrors.ClosedConnectionError || error instanceof natsErrors.DrainingConnectionError;
  const outcomeUnknown = context.write === true && !neverSent;
  return new ConnectionError(
    `NATS ${context.operation} failed: ${message}` + (outcomeUnknown ? " (the write may or may not have been stored)" : ""),
    { cause, outcomeUnknown },
  );
}

function noResponders(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (e instanceof natsErrors.NoRespondersError) return true;
    if (e instanceof natsErrors.RequestError && e.isNoResponders()) return true;
  }
  return false;
}
