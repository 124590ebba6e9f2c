import { ValidationError } from "../errors.js";
import type { EventData, EventMetadata, RecordedEvent } from "../event.js";
import type { DomainEvent } from "./decider.js";
import type { DecodeResult } from "./event-registry.js";

/**
 * What the command handler and projections need to turn domain events into stored events and
 * back. An `EventRegistry` is one (validating, upcasting); `passThroughCodec()` is the
 * schema-less default.
 */
export interface EventCodec<TEvent extends DomainEvent> {
  toEventData(event: TEvent, metadata?: EventMetadata, field?: string): EventData;
  decode(recorded: RecordedEvent): DecodeResult<TEvent>;
  /** Whether the codec knows this type at all (projections ignore types they do not know). */
  has(type: string): boolean;
}

/** No schemas: events are stored as given and read back as stored. */
export function passThroughCodec<TEvent extends DomainEvent>(): EventCodec<TEvent> {
  return {
    toEventData(event, metadata, field = "event") {
      if (typeof event !== "object" || event === null || typeof event.type !== "string") {
        throw new ValidationError(`${field} must be an object with a string type`, `${field}.type`);
      }
      return { type: event.type, data: event.data, ...(metadata ? { metadata } : {}) };
    },
    decode(recorded) {
      return { ok: true, event: { type: recorded.type, data: recorded.data } as TEvent };
    },
    has: () => true,
  };
}

/** What to do with a stored event that fails validation on read. */
export type InvalidEventPolicy =
  | { readonly onInvalid: "fail" }
  | { readonly onInvalid: "dead-letter"; readonly deadLetterStream: string };
