import { ValidationError } from "./errors.js";
import type { EventFilter, SubscribeOptions, SubscriptionTarget } from "./event-stream.js";
import { Position } from "./position.js";
import type { FeedStart } from "./subscription.js";
import { assertStreamName } from "./validation.js";

/** A subscription target checked by the runtime: a stream, a category, or `$all` with a filter. */
export type ResolvedTarget =
  | { readonly kind: "stream"; readonly stream: string }
  | { readonly kind: "category"; readonly category: string; readonly prefix: string }
  | { readonly kind: "all"; readonly filter: EventFilter | undefined };

/** The separator between a category and the rest of a stream id: "account-42" is in "account". */
export const CATEGORY_SEPARATOR = "-";

/** Normalises every accepted spelling of a subscription target, refusing malformed ones. */
export function resolveTarget(target: SubscriptionTarget): ResolvedTarget {
  if (target === "$all") return { kind: "all", filter: undefined };
  if (typeof target === "string") {
    assertStreamName(target, "target");
    return { kind: "stream", stream: target };
  }
  if (typeof target !== "object" || target === null) {
    throw new ValidationError('A subscription target is a stream id, "$all", {stream}, {category} or {all: true}', "target");
  }
  if ("stream" in target) {
    assertStreamName(target.stream, "target.stream");
    return { kind: "stream", stream: target.stream };
  }
  if ("category" in target) {
    const { category } = target;
    if (typeof category !== "string" || category.length === 0 || category.includes(CATEGORY_SEPARATOR)) {
      throw new ValidationError(
        `A category must be a non-empty string without "${CATEGORY_SEPARATOR}", got ${JSON.stringify(category)}`,
        "target.category",
      );
    }
    return { kind: "category", category, prefix: category + CATEGORY_SEPARATOR };
  }
  if ("all" in target && target.all === true) return { kind: "all", filter: target.filter };
  throw new ValidationError('A subscription target is a stream id, "$all", {stream}, {category} or {all: true}', "target");
}

/**
 * The exclusive start of a subscription: a revision for a stream, a position of `backend` (with
 * `arity` parts) for a category or `$all`. Malformed or foreign positions are a ValidationError.
 */
export function resolveStart(
  target: ResolvedTarget,
  from: SubscribeOptions["from"],
  backend: string,
  arity?: number,
): FeedStart {
  if (from === undefined || from === "start" || from === "end") return from ?? "start";
  if (target.kind === "stream") {
    if (typeof from === "bigint" && from >= 0n) return from;
    throw new ValidationError(
      `A stream subscription starts after a non-negative bigint revision, "start" or "end"`,
      "from",
    );
  }
  if (typeof from === "bigint") {
    throw new ValidationError("A category or $all subscription starts after a Position, not a revision", "from");
  }
  return Position.from(from, backend, arity);
}
