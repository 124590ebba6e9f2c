/** Size limits of the Ensign protocol, and what they leave for one published event. */

/**
 * Ensign's own check (`EventMaxDataSize = 5.243e6`): a serialized Event above it is nacked
 * MAX_EVENT_SIZE_EXCEEDED. A stock server never gets that far for such an event (see below).
 */
export const MAX_EVENT_SIZE = 5_243_000;

/**
 * The largest gRPC message the server receives: grpc-go's default server limit (4 MiB), which
 * Ensign's server (v0.12.9) does not raise. A larger PublisherRequest never reaches Ensign's
 * check: grpc-go ends the whole Publish stream with RESOURCE_EXHAUSTED.
 */
export const SERVER_MAX_RECEIVE_BYTES = 4 * 1024 * 1024;

/** Topic ids are ULIDs; local ids are this client's 16-byte ULID-shaped ids. */
const ID_BYTES = 16;

/** Bytes on the wire of a PublisherRequest carrying one serialized Event (topic_id, local_id, event). */
export function publishRequestBytes(eventBytes: number, topicIdBytes = ID_BYTES, localIdBytes = ID_BYTES): number {
  const wrapper = bytesField(2, topicIdBytes) + bytesField(16, localIdBytes) + bytesField(9, eventBytes);
  return bytesField(1, wrapper);
}

/**
 * The largest serialized Event whose PublisherRequest fits in `messageLimit` bytes and that
 * Ensign stores (at most MAX_EVENT_SIZE).
 */
export function maxEventBytesFor(messageLimit: number): number {
  // The envelope at the limit's own size is the largest it can be; a smaller event may save a
  // byte of length prefix, so step up while the next size still fits.
  let size = Math.max(0, messageLimit - (publishRequestBytes(messageLimit) - messageLimit));
  while (publishRequestBytes(size + 1) <= messageLimit) size++;
  return Math.min(size, MAX_EVENT_SIZE);
}

/** What a stock Ensign server accepts per event: 4,194,257 bytes of serialized Event. */
export const MAX_PUBLISHABLE_EVENT_SIZE = maxEventBytesFor(SERVER_MAX_RECEIVE_BYTES);

/**
 * The client channel's own limits. Receiving stays generous, so an event stored by a server
 * built with a larger limit can still be read; what is sent is bounded by the server's receive
 * limit, checked before sending.
 */
export const GRPC_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** Channel/server options to pass to `new Client(…, options)` and `new Server(options)`. */
export const GRPC_MESSAGE_SIZE_OPTIONS = {
  "grpc.max_receive_message_length": GRPC_MAX_MESSAGE_BYTES,
  "grpc.max_send_message_length": GRPC_MAX_MESSAGE_BYTES,
} as const;

/** Size of a length-delimited protobuf field (tag, length varint, payload); field numbers below 2048. */
function bytesField(fieldNumber: number, length: number): number {
  return varintBytes(fieldNumber * 8 + 2) + varintBytes(length) + length;
}

function varintBytes(value: number): number {
  let bytes = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    bytes++;
  }
  return bytes;
}
