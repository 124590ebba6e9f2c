/**
 * Every notice the library gives, with a stable code to filter and alert on. The message is for
 * people and may change between versions; the code and the attribute names do not.
 *
 * - `SUBSCRIPTION_RECONNECTING` (warn): a subscription lost its connection and retries after a delay.
 * - `SUBSCRIPTION_CALLBACK_FAILED` (warn): a subscription's `onReconnect` callback threw; ignored.
 * - `ENSIGN_CALLBACK_FAILED` (warn): an Ensign publish `onAck`/`onNack` callback threw; ignored.
 * - `ENSIGN_ROW_UNDECODABLE` (warn): an Ensign topic row could not be decoded and is skipped.
 * - `ENSIGN_SINGLE_WRITER_CONFLICT` (warn): under `consistency=single-writer`, another writer
 *   appended to a stream this process numbered; revisions it returned may be wrong.
 * - `ENSIGN_SLOW_CONSUMER` (info): the Ensign server dropped live notifications to this
 *   subscriber (it is live-only and drops for slow consumers); the missed events were read by
 *   EnSQL, so nothing is lost, but the subscription lagged.
 */
export type LogCode =
  | "SUBSCRIPTION_RECONNECTING"
  | "SUBSCRIPTION_CALLBACK_FAILED"
  | "ENSIGN_CALLBACK_FAILED"
  | "ENSIGN_ROW_UNDECODABLE"
  | "ENSIGN_SINGLE_WRITER_CONFLICT"
  | "ENSIGN_SLOW_CONSUMER";

/** How much a notice matters: `warn` where something may need a person, `info` for the rest. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** Attribute values are plain: names, ids, counts. Never event data, never a secret. */
export type LogAttributes = Readonly<Record<string, string | number | boolean>>;

/** One notice. */
export interface LogRecord {
  readonly level: LogLevel;
  readonly code: LogCode;
  readonly message: string;
  readonly attributes?: LogAttributes;
  /** The error behind the notice, when there is one (typed errors hold no secret). */
  readonly error?: unknown;
}

/**
 * Where the library's notices go. Pass one to `connect(url, { logger })`; the default is
 * `silentLogger`. A logger must not throw: a notice is never worth failing an operation over, and
 * one that throws is ignored.
 */
export interface Logger {
  log(record: LogRecord): void;
}

/** The default: drops every notice. */
export const silentLogger: Logger = Object.freeze({ log() {} });

/**
 * Writes each notice to the console (`console.warn` for warn and error, `console.info` below),
 * as `[switchyard] CODE message {attributes}`.
 */
export const consoleLogger: Logger = Object.freeze({
  log(record: LogRecord) {
    const write = record.level === "warn" || record.level === "error" ? console.warn : console.info;
    const attributes = record.attributes && Object.keys(record.attributes).length > 0 ? [record.attributes] : [];
    write(`[switchyard] ${record.code} ${record.message}`, ...attributes);
  },
});

/** Hands a notice to `logger`, so a logger that throws cannot break the operation that logged. */
export function notify(logger: Logger, record: LogRecord): void {
  try {
    logger.log(record);
  } catch {
    // A broken logger must not turn a notice into a failure.
  }
}
