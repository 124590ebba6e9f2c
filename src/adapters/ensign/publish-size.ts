/** The server's message limit as the publisher meets it: before sending, and when a stream is reset for it. */
import { GrpcStatus, PublishTooLargeError, grpcCode, type GrpcErrorLike } from "./errors.js";
import { maxEventBytesFor } from "./wire/limits.js";

/** An event whose publish request is over `messageLimit`, refused before it is sent. */
export function refusedAsTooLarge(eventBytes: number, messageLimit: number): PublishTooLargeError {
  const limit = maxEventBytesFor(messageLimit);
  return new PublishTooLargeError(
    eventBytes,
    limit,
    `Ensign event of ${eventBytes} bytes not sent: the server accepts at most ${limit} bytes per event ` +
      `(its ${messageLimit}-byte gRPC message limit less the publish envelope)`,
  );
}

/** An event whose publish request made the server reset the stream; it was not stored. */
export function resetAsTooLarge(eventBytes: number, requestBytes: number, messageLimit: number, cause: unknown): PublishTooLargeError {
  const limit = maxEventBytesFor(messageLimit);
  return new PublishTooLargeError(
    eventBytes,
    limit,
    `Ensign reset the publish stream (RESOURCE_EXHAUSTED) for an event of ${eventBytes} bytes: its ${requestBytes}-byte ` +
      `request is over the server's ${messageLimit}-byte message limit (at most ${limit} bytes per event). ` +
      `It was not stored and is not sent again`,
    "event",
    { cause },
  );
}

/**
 * The receive limit a server named when it reset a stream for a message over it, e.g. grpc-go's
 * "grpc: received message larger than max (5000123 vs. 4194304)" (grpc-js writes "vs" without the dot).
 * Undefined for any other error, RESOURCE_EXHAUSTED for another reason included.
 */
export function sizeResetLimit(error: unknown): number | undefined {
  if (grpcCode(error) !== GrpcStatus.RESOURCE_EXHAUSTED) return undefined;
  const details = (error as GrpcErrorLike).details ?? (error as GrpcErrorLike).message ?? "";
  const match = /larger than max \((\d+) vs\.? (\d+)\)/i.exec(details);
  return match ? Number(match[2]) : undefined;
}
