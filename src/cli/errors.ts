// How the command ends: one line on stderr and an exit code (0 ok, 1 failure, 2 usage).
import { redactUrlsIn } from "../core/redact.js";

/** Exit codes of every command; documented in docs/cli.md. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
/** Ctrl-C stopped a copy after saving its checkpoint (128 + SIGINT, as shells report it). */
export const EXIT_INTERRUPTED = 130;

/** The command line asked for something that cannot be done as written: exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** The command ran and found a problem (an unreachable store, a verify difference): its message is the one line, exit 1. */
export class ReportedFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReportedFailure";
  }
}

/** A bad URL (ConfigurationError) is a usage error; everything else that fails is exit 1. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof UsageError) return EXIT_USAGE;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "CONFIGURATION") return EXIT_USAGE;
  return EXIT_FAILURE;
}

/** One line for the error, or with `verbose` its stack and cause chain; URLs in it are redacted. */
export function describeError(error: unknown, verbose: boolean): string {
  if (!(error instanceof Error)) return redactUrlsIn(String(error));
  if (!verbose) return redactUrlsIn(error.message.split("\n", 1)[0]!);
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 8; depth++) {
    parts.push(`${depth === 0 ? "" : "caused by: "}${current.stack ?? current.message}`);
    current = current.cause;
  }
  if (current !== undefined && !(current instanceof Error)) parts.push(`caused by: ${String(current)}`);
  return redactUrlsIn(parts.join("\n"));
}
