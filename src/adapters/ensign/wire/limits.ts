/** Size limits of the Ensign protocol and the gRPC options that make room for them. */

/** Largest serialized Event the server accepts (`EventMaxDataSize = 5.243e6`). */
export const MAX_EVENT_SIZE = 5_243_000;

/**
 * gRPC message limit for both client channel and server: above MAX_EVENT_SIZE plus envelope
 * overhead, so an oversized event reaches the server and gets its MAX_EVENT_SIZE_EXCEEDED nack
 * instead of failing the whole stream with RESOURCE_EXHAUSTED (grpc-js defaults to 4 MiB receive).
 */
export const GRPC_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** Channel/server options to pass to `new Client(…, options)` and `new Server(options)`. */
export const GRPC_MESSAGE_SIZE_OPTIONS = {
  "grpc.max_receive_message_length": GRPC_MAX_MESSAGE_BYTES,
  "grpc.max_send_message_length": GRPC_MAX_MESSAGE_BYTES,
} as const;
