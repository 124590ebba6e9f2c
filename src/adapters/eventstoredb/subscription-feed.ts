import {
  END,
  START,
  type AllStreamResolvedEvent,
  type EventStoreDBClient,
  type Filter,
  type ResolvedEvent,
} from "@eventstore/db-client";
import type { CodecRegistry } from "../../core/codec.js";
import type { Position } from "../../core/position.js";
import type { Feed, FeedMessage, FeedStart } from "../../core/subscription.js";
import type { ResolvedTarget } from "../../core/subscription-target.js";
import { allEnd, CaughtUpTracker, streamEnd, type KnownEnd } from "./caught-up.js";
import { translateError, type OperationContext } from "./errors.js";
import { recordMapper } from "./event-mapping.js";
import { planFilter } from "./filter-mapping.js";
import { ReadableQueue, type ClientSubscription } from "./readable-queue.js";
import { toClientPosition, toPosition } from "./position-mapping.js";

const STREAM_DELETED_TYPE = "$streamDeleted";

/**
 * A core Feed over the client's catch-up subscriptions. ESDB's start points are exclusive like
 * ours; its caught-up signal becomes {kind:"caughtUp"} (or is worked out here for servers that do
 * not send it), filter checkpoints become {kind:"checkpoint"}, and a dropped call is thrown as a
 * ConnectionError so core resubscribes after the last delivered event.
 */
export function subscriptionFeed(client: EventStoreDBClient, target: ResolvedTarget, codecs: CodecRegistry): Feed {
  if (target.kind === "stream") {
    const context: OperationContext = { operation: "subscribe", stream: target.stream };
    return (start, signal) =>
      follow(start, signal, context, () => streamEnd(client, target.stream), () => {
        const fromRevision = start === "start" ? START : start === "end" ? END : (start as bigint);
        const subscription = client.subscribeToStream(target.stream, { fromRevision });
        const toRecorded = recordMapper(codecs);
        const queue = new ReadableQueue<ResolvedEvent, FeedMessage>(subscription, (resolved) =>
          // A tombstone arrives as a "$streamDeleted" event just before the call fails with stream-deleted.
          resolved.event && resolved.event.type !== STREAM_DELETED_TYPE
            ? { kind: "event", event: toRecorded(resolved.event) }
            : undefined,
        );
        return { subscription, queue };
      });
  }
  const plan = planFilter(target.kind === "all" ? target.filter : undefined, target.kind === "category" ? target.prefix : undefined);
  const context: OperationContext = { operation: "subscribe" };
  return (start, signal) =>
    follow(start, signal, context, () => allEnd(client), () => {
      const fromPosition = start === "start" ? START : start === "end" ? END : toClientPosition(start as Position);
      let queue: ReadableQueue<AllStreamResolvedEvent, FeedMessage> | undefined;
      const filter: Filter | undefined = plan.server && {
        ...(plan.server as Filter),
        checkpointReached: (_subscription, position) => {
          queue?.marker({ kind: "checkpoint", position: toPosition(position) });
        },
      };
      const subscription = client.subscribeToAll({ fromPosition, ...(filter ? { filter } : {}) });
      const toRecorded = recordMapper(codecs);
      queue = new ReadableQueue<AllStreamResolvedEvent, FeedMessage>(subscription, (resolved) => {
        if (!resolved.event) return undefined;
        const event = toRecorded(resolved.event);
        // Dropped on the client: still a scanned position, so a resume does not scan it again.
        return plan.accepts(event) ? { kind: "event", event } : { kind: "checkpoint", position: event.position };
      });
      return { subscription, queue };
    });
}

export async function* follow(
  start: FeedStart,
  signal: AbortSignal,
  context: OperationContext,
  knownEnd: () => Promise<KnownEnd>,
  open: () => { subscription: ClientSubscription; queue: ReadableQueue<never, FeedMessage> },
): AsyncGenerator<FeedMessage> {
  // From "end" there is nothing to catch up on: no need to look where the end is.
  const tracker = new CaughtUpTracker(start === "end" ? { kind: "empty" } : await knownEnd(), start);
  const { subscription, queue } = open();
  subscription.on("caughtUp", () => queue.marker({ kind: "caughtUp" }));
  if (tracker.nothingToCatchUp) subscription.once("confirmation", () => queue.marker({ kind: "caughtUp" }));
  let caughtUp = false;
  // Ending without an error is a cut-off connection: core treats it as one and resubscribes.
  for await (const message of queue.iterate(signal, (error) => translateError(error, context))) {
    if (message.kind === "caughtUp") {
      if (caughtUp) continue;
      caughtUp = true;
      yield message;
      continue;
    }
    yield message;
    if (!caughtUp && tracker.reached(message)) {
      caughtUp = true;
      yield { kind: "caughtUp" };
    }
  }
}
