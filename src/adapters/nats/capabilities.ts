import { everyCapability, type Capabilities, type CapabilityName } from "../../core/capabilities.js";
import { DEFAULT_MAX_APPEND_BYTES } from "./config.js";
import { NATS_BACKEND } from "./positions.js";

/**
 * One event is one message, so a batch of several events is several publishes: a failure in the
 * middle leaves the first ones stored (a PartialAppendError says which). Idempotent ids hold
 * without limit when the retry gives the same expected revision, and within the stream's
 * duplicate window (default 2 minutes) with "any".
 */
export function natsCapabilities(maxAppendBytes = DEFAULT_MAX_APPEND_BYTES): Capabilities {
  return Object.freeze({
    ...everyCapability(NATS_BACKEND, maxAppendBytes),
    atomicAppend: false,
    streamMetadata: false,
    maxAppendBytesPer: "event",
  });
}

export const NATS_UNSUPPORTED: Partial<Record<CapabilityName, string>> = Object.freeze({
  atomicAppend:
    "A NATS 2.9 server has no atomic multi-message publish (batches arrived in 2.12): each event is one message, so a batch can be partly stored",
  streamMetadata:
    "JetStream's limits (max messages, max age) apply to a whole JetStream stream or to every subject alike, not to one event stream",
});
