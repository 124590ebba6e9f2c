import type { EventData } from "../../core/event.js";
import type { DomainEvent } from "../../core/domain/decider.js";
import type { EventCodec } from "../../core/domain/event-codec.js";

/** An event for `given`: a domain event, optionally pinned to an old schema version (stored as is). */
export type GivenEvent<TEvent extends DomainEvent> = TEvent | (DomainEvent & { readonly schemaVersion: number });

export function toGivenEventData<TEvent extends DomainEvent>(
  codec: EventCodec<TEvent>,
  event: GivenEvent<TEvent>,
  index: number,
): EventData {
  if ("schemaVersion" in event && typeof event.schemaVersion === "number") {
    // Written as an older version would have been: not validated against the newest schema.
    return { type: event.type, data: event.data, schemaVersion: event.schemaVersion };
  }
  return codec.toEventData(event as TEvent, undefined, `given[${index}]`);
}

/**
 * `await` on an object with a `then` method calls `then(resolve, reject)`. The specs' `then`
 * takes an expectation instead, so a forgotten expectation is reported rather than hanging.
 */
export function isThenableCall(args: readonly unknown[]): args is [unknown, (error: unknown) => void] {
  return args.length === 2 && typeof args[0] === "function" && typeof args[1] === "function" && !isErrorClass(args[0]);
}

export function isErrorClass(value: unknown): value is abstract new (...args: never[]) => Error {
  return typeof value === "function" && (value === Error || value.prototype instanceof Error);
}

export const MISSING_EXPECTATION =
  "A spec was awaited without an expectation: write `await spec.given(...).when(...).then(expected)`";
