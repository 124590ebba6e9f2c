import { ValidationError } from "../errors.js";

/** How often and how patiently an operation is retried. Delays grow exponentially, with jitter. */
export interface RetryPolicy {
  /** Attempts in total, the first one included (1 means "never retry"). */
  readonly maxAttempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

/** The command handler's retry policy when none is given: 10 attempts, 5–250 ms jittered backoff. */
export const DEFAULT_COMMAND_RETRY: RetryPolicy = Object.freeze({ maxAttempts: 10, initialDelayMs: 5, maxDelayMs: 250 });

export function resolveRetryPolicy(policy: Partial<RetryPolicy> | undefined, defaults: RetryPolicy, field: string): RetryPolicy {
  const resolved = { ...defaults, ...policy };
  if (!Number.isSafeInteger(resolved.maxAttempts) || resolved.maxAttempts < 1) {
    throw new ValidationError(`${field}.maxAttempts must be a positive integer`, `${field}.maxAttempts`);
  }
  for (const key of ["initialDelayMs", "maxDelayMs"] as const) {
    if (!Number.isFinite(resolved[key]) || resolved[key] < 0) {
      throw new ValidationError(`${field}.${key} must be a non-negative number`, `${field}.${key}`);
    }
  }
  return resolved;
}

/**
 * The delay before retry number `attempt` (1-based): "full jitter", a uniform draw between 0 and
 * the exponential bound, so competing writers that collided once spread out instead of colliding
 * again in lockstep.
 */
export function retryDelayMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const bound = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, attempt - 1));
  return random() * bound;
}

/** Resolves after `ms`, or at once (without throwing) when `signal` aborts; the caller checks the signal. */
export { sleep as delay } from "../subscription.js";
