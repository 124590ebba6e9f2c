import {
  AuthorizationError,
  ClosedError,
  ConfigurationError,
  ConnectionError,
  isSwitchyardError,
  WrongExpectedRevisionError,
} from "../../core/errors.js";
import type { ExpectedRevision } from "../../core/event.js";

/** What a write was doing, so a constraint failure can be reported as the conflict it is. */
export interface WriteContext {
  readonly stream: string;
  readonly expected: ExpectedRevision;
  /** The stream's revision now, read after the failed transaction rolled back. */
  readonly current: () => bigint | undefined;
}

/**
 * Translates better-sqlite3's errors into the tree, keeping `cause`. `write` is set for writes:
 * their I/O failures leave the outcome unknown to the caller (the commit may have reached the disk).
 */
export function mapSqliteError(error: unknown, operation: string, write?: WriteContext): unknown {
  if (isSwitchyardError(error) || !(error instanceof Error)) return error;
  if (error instanceof TypeError && /database connection is not open/.test(error.message)) {
    return new ClosedError(`The SQLite database was closed during ${operation}`, { cause: error });
  }
  const code = (error as { code?: unknown }).code;
  if (typeof code !== "string" || !code.startsWith("SQLITE_")) return error;
  const base = baseCode(code);
  switch (base) {
    case "SQLITE_BUSY":
    case "SQLITE_LOCKED":
      // Another connection held the write lock for longer than the busy timeout; nothing was written.
      return new ConnectionError(
        `SQLite ${operation}: the database stayed locked by another connection past the busy timeout (busyTimeoutMs)`,
        { cause: error },
      );
    case "SQLITE_CONSTRAINT":
      if (write) {
        const current = write.current();
        return new WrongExpectedRevisionError(write.stream, write.expected, current ?? "no_stream", { cause: error });
      }
      return new ConnectionError(`SQLite ${operation} failed: ${code}`, { cause: error });
    case "SQLITE_READONLY":
    case "SQLITE_PERM":
    case "SQLITE_AUTH":
      return new AuthorizationError(`SQLite ${operation}: the database file cannot be written (${code})`, { cause: error });
    case "SQLITE_NOTADB":
    case "SQLITE_CORRUPT":
    case "SQLITE_CANTOPEN":
      return new ConfigurationError(`SQLite ${operation}: the file cannot be opened as a database (${code})`, { cause: error });
    default:
      return new ConnectionError(`SQLite ${operation} failed (${code})`, { cause: error, outcomeUnknown: write !== undefined });
  }
}

/** "SQLITE_BUSY_SNAPSHOT" → "SQLITE_BUSY": extended result codes refine a primary one. */
function baseCode(code: string): string {
  return code.split("_").slice(0, 2).join("_");
}
