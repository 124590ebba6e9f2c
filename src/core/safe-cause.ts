import { ConfigurationError, isSwitchyardError } from "./errors.js";
import { redactSecrets } from "./redact.js";

const MAX_CAUSE_DEPTH = 8;

/**
 * A copy of `error` fit to be an error's `cause`: its name, message and stack with secrets
 * masked, its `code` kept, and every other property dropped — Node's URL errors keep the raw
 * `input`, zod errors their issues, drivers their settings. Its own cause is copied the same way.
 * Anything that is not an Error gives no cause.
 */
export function safeCause(error: unknown, secrets: readonly string[] = []): Error | undefined {
  return copy(error, secrets, 0);
}

function copy(error: unknown, secrets: readonly string[], depth: number): Error | undefined {
  if (!(error instanceof Error) || depth >= MAX_CAUSE_DEPTH) return undefined;
  const cause = copy(error.cause, secrets, depth + 1);
  const safe = new Error(redactSecrets(error.message, secrets), cause === undefined ? undefined : { cause });
  Object.defineProperty(safe, "name", { value: error.name, configurable: true, writable: true });
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" || typeof code === "number") Object.assign(safe, { code });
  safe.stack = redactSecrets(error.stack ?? `${error.name}: ${error.message}`, secrets);
  return safe;
}

/**
 * Makes an error met while reading connection settings safe to print. Our own errors are masked
 * in place (message, stack, string fields) and their cause replaced by a safe copy; anything
 * else becomes a ConfigurationError with a safe cause.
 */
export function withoutSecrets(error: unknown, secrets: readonly string[], context: string): Error {
  if (!isSwitchyardError(error)) {
    const message = error instanceof Error ? error.message : String(error);
    return new ConfigurationError(`${context}: ${redactSecrets(message, secrets)}`, { cause: safeCause(error, secrets) });
  }
  error.message = redactSecrets(error.message, secrets);
  if (error.stack !== undefined) error.stack = redactSecrets(error.stack, secrets);
  for (const [key, value] of Object.entries(error)) {
    if (typeof value === "string") Object.assign(error, { [key]: redactSecrets(value, secrets) });
  }
  if (error.cause !== undefined) {
    const cause = safeCause(error.cause, secrets);
    if (cause === undefined) delete error.cause;
    else error.cause = cause;
  }
  return error;
}
