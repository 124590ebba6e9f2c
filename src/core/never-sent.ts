/**
 * Failures that prove a request never left this process: the host name did not resolve, no
 * connection could be made, or the call was given up before it had a connection. Node's
 * socket/DNS codes, grpc-js's messages and EventStoreDB's client discovery say so in words.
 */
const NEVER_SENT = [
  /Name resolution failed/i, // grpc-js DNS resolver
  /\b(ENOTFOUND|EAI_AGAIN|EAI_NONAME|EAI_NODATA|EAI_FAIL)\b|getaddrinfo/, // Node DNS
  /\bECONNREFUSED\b|\bEHOSTUNREACH\b|\bENETUNREACH\b|connect (ENOENT|ETIMEDOUT)/, // Node connect()
  /No connection established|Channel closed before call started/i, // grpc-js picker / channel
  /waiting for name resolution|Waiting for LB pick/i, // grpc-js deadline before a transport was picked
  /Failed to discover after \d+ attempts/i, // @eventstore/db-client gossip/DNS discovery
];

const MAX_DEPTH = 8;

/**
 * True only when `error` (or an error in its cause chain) shows the request was never sent, so
 * a write that failed with it was certainly not stored. Anything else may have reached the server.
 */
export function failedBeforeSending(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < MAX_DEPTH && typeof current === "object" && current !== null; depth++) {
    const { message, details, code } = current as { message?: unknown; details?: unknown; code?: unknown };
    const texts = [message, details, code].filter((t): t is string => typeof t === "string");
    if (texts.some((text) => NEVER_SENT.some((pattern) => pattern.test(text)))) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
