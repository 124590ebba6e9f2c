import { BACKWARDS, END, type EventStoreDBClient } from "@eventstore/db-client";
import { isStreamNotFoundError } from "../../core/errors.js";
import type { Position } from "../../core/position.js";
import type { FeedMessage, FeedStart } from "../../core/subscription.js";
import { drain } from "./drain.js";
import { toPosition } from "./position-mapping.js";

/** What existed when a subscription started: nothing, a stream's last revision, or $all's last position. */
export type KnownEnd =
  | { readonly kind: "empty" }
  | { readonly kind: "revision"; readonly revision: bigint }
  | { readonly kind: "position"; readonly position: Position };

export async function streamEnd(client: EventStoreDBClient, stream: string): Promise<KnownEnd> {
  const read = client.readStream(stream, { fromRevision: END, direction: BACKWARDS, maxCount: 1 });
  try {
    for await (const resolved of drain(read, undefined, { operation: "subscribe", stream }, 1n)) {
      if (resolved.event) return { kind: "revision", revision: resolved.event.revision };
    }
  } catch (error) {
    if (!isStreamNotFoundError(error)) throw error;
  }
  return { kind: "empty" };
}

export async function allEnd(client: EventStoreDBClient): Promise<KnownEnd> {
  const read = client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1 });
  for await (const resolved of drain(read, undefined, { operation: "subscribe" }, 1n)) {
    if (resolved.event?.position) return { kind: "position", position: toPosition(resolved.event.position) };
  }
  return { kind: "empty" };
}

/**
 * Decides "caught up" for servers that never say so: EventStoreDB before 23.10 sends no
 * caught-up message at all, and 23.10 none for a stream that does not exist. The subscription
 * is caught up once it has delivered (or, for filtered $all, scanned past) what existed when it
 * started, or at once when there was nothing to catch up on.
 */
export class CaughtUpTracker {
  readonly #end: KnownEnd;
  readonly nothingToCatchUp: boolean;

  constructor(end: KnownEnd, start: FeedStart) {
    this.#end = end;
    this.nothingToCatchUp =
      end.kind === "empty" ||
      start === "end" ||
      (end.kind === "revision" && typeof start === "bigint" && start >= end.revision) ||
      (end.kind === "position" && typeof start === "object" && start.compareTo(end.position) >= 0);
  }

  reached(message: FeedMessage): boolean {
    const end = this.#end;
    if (message.kind === "event") {
      if (end.kind === "revision") return message.event.revision >= end.revision;
      if (end.kind === "position") return message.event.position.compareTo(end.position) >= 0;
    }
    if (message.kind === "checkpoint" && end.kind === "position") return message.position.compareTo(end.position) >= 0;
    return end.kind === "empty";
  }
}
