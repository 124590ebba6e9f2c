import type { Capabilities, CapabilityName } from "../../core/capabilities.js";
import type { EnsignConfig } from "./config.js";
import { ENSIGN_BACKEND } from "./event-mapping.js";
import { MAX_PUBLISHABLE_EVENT_SIZE } from "./wire/limits.js";

/** What the Ensign adapter can promise for a given configuration (known before connecting). */
export function ensignCapabilities(options: Pick<EnsignConfig, "consistency" | "topic" | "topicFor"> = {}): Capabilities {
  return Object.freeze({
    backend: ENSIGN_BACKEND,
    expectedRevision: options.consistency === "single-writer",
    atomicAppend: false,
    idempotentIds: true,
    readBackward: true,
    globalOrder: options.topic !== undefined,
    catchUpSubscriptions: true,
    categorySubscriptions: options.topicFor === undefined,
    persistentSubscriptions: false,
    delete: false,
    tombstone: false,
    streamMetadata: false,
    maxAppendBytes: MAX_PUBLISHABLE_EVENT_SIZE,
    maxAppendBytesPer: "event",
  });
}

/** Why Ensign lacks a capability, for the UnsupportedOperationError core throws. */
export const ENSIGN_UNSUPPORTED: Partial<Record<CapabilityName, string>> = Object.freeze({
  expectedRevision:
    `Ensign cannot enforce an expected revision other than "any": use "any", or consistency=single-writer if this process is the stream's only writer`,
  globalOrder: "Ensign orders events only within a topic: readAll and $all need the adapter configured with one topic",
  categorySubscriptions: "With a custom topicFor the adapter cannot know a category's topic",
  delete: "Ensign cannot delete a stream: its events share a topic with other streams and topics are append-only",
  tombstone: "Ensign cannot tombstone a stream: topics are append-only",
  streamMetadata: "Ensign has no per-stream retention settings",
  persistentSubscriptions: "Ensign's server ignores consumer groups, so it offers no persistent subscriptions",
});
