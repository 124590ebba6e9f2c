import { BACKWARDS, END, START, type EventStoreDBClient, type ResolvedEvent } from "@eventstore/db-client";
import type { CodecRegistry } from "../../core/codec.js";
import { isStreamNotFoundError } from "../../core/errors.js";
import type { Position } from "../../core/position.js";
import type { Feed, FeedMessage, FeedStart } from "../../core/subscription.js";
import type { ResolvedTarget } from "../../core/subscription-target.js";
import type { KnownEnd } from "./caught-up.js";
import { drain } from "./drain.js";
import type { OperationContext } from "./errors.js";
import { recordMapper } from "./event-mapping.js";
import { planFilter } from "./filter-mapping.js";
import { toPosition } from "./position-mapping.js";
import { ReadableQueue } from "./readable-queue.js";
import { follow, subscriptionFeed } from "./subscription-feed.js";

type CategoryTarget = Extract<ResolvedTarget, { kind: "category" }>;

/**
 * The opt-in category feed: the `$ce-<category>` stream of the server's `$by_category` projection,
 * read with resolveLinkTos, when that projection is running; otherwise (not running, projections
 * off, not allowed to ask) the default `$all` stream-prefix feed. The check is made each time the
 * feed opens, so a projection stopped meanwhile is noticed on the next resubscription.
 *
 * Positions stay `$all` positions: a resolved event carries its own. Links whose event is gone
 * (deleted, truncated) and the links `$by_category` writes for deletions are skipped.
 */
export function categoryStreamFeed(client: EventStoreDBClient, target: CategoryTarget, codecs: CodecRegistry): Feed {
  const fallback = subscriptionFeed(client, target, codecs);
  const stream = `$ce-${target.category}`;
  const plan = planFilter(undefined, target.prefix);
  const context: OperationContext = { operation: "subscribe", stream };
  return async function* (start, signal) {
    if (!(await byCategoryRunning(client))) {
      yield* fallback(start, signal);
      return;
    }
    const fromRevision = await revisionAfter(client, stream, start, context);
    yield* follow(start, signal, context, () => categoryEnd(client, stream, context), () => {
      const subscription = client.subscribeToStream(stream, { fromRevision, resolveLinkTos: true });
      const toRecorded = recordMapper(codecs);
      const queue = new ReadableQueue<ResolvedEvent, FeedMessage>(subscription, (resolved) => {
        if (!resolved.event) return undefined;
        const event = toRecorded(resolved.event);
        return plan.accepts(event) ? { kind: "event", event } : undefined;
      });
      return { subscription, queue };
    });
  };
}

/** Whether the server runs `$by_category` (a server without projections answers UNIMPLEMENTED). */
async function byCategoryRunning(client: EventStoreDBClient): Promise<boolean> {
  try {
    const status = await client.getProjectionStatus("$by_category");
    return status?.projectionStatus === "Running";
  } catch {
    return false;
  }
}

/**
 * Where to subscribe from: the `$ce-` revision of the last link whose event sits at or before the
 * exclusive start position, found by reading the stream backwards (links follow `$all` order).
 */
async function revisionAfter(
  client: EventStoreDBClient,
  stream: string,
  start: FeedStart,
  context: OperationContext,
): Promise<typeof START | typeof END | bigint> {
  if (start === "start") return START;
  if (start === "end") return END;
  const after = start as Position;
  const read = client.readStream(stream, { direction: BACKWARDS, fromRevision: END, resolveLinkTos: true });
  try {
    for await (const resolved of drain(read, undefined, context)) {
      const position = resolved.event?.position;
      if (position && toPosition(position).compareTo(after) <= 0) return resolved.link?.revision ?? START;
    }
  } catch (error) {
    if (!isStreamNotFoundError(error)) throw error;
  }
  return START;
}

/** The position of the newest event the category stream still resolves to. */
async function categoryEnd(client: EventStoreDBClient, stream: string, context: OperationContext): Promise<KnownEnd> {
  const read = client.readStream(stream, { direction: BACKWARDS, fromRevision: END, resolveLinkTos: true });
  try {
    for await (const resolved of drain(read, undefined, context)) {
      if (resolved.event?.position) return { kind: "position", position: toPosition(resolved.event.position) };
    }
  } catch (error) {
    if (!isStreamNotFoundError(error)) throw error;
  }
  return { kind: "empty" };
}
