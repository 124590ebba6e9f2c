import { isStreamNotFoundError } from "../errors.js";
import type { AppendResult, RecordedEvent } from "../event.js";
import type { PreparedEvent } from "../prepare.js";
import type { ResolvedTarget } from "../subscription-target.js";
import { ATTR, destinationAttributes, spanName, streamDestination, type Destination } from "./semconv.js";
import type { OtelTracing, SpanAttributes } from "./tracing.js";

/** Attributes every span of a store carries. */
function base(system: string, type: string, name: string, destination: Destination | undefined): SpanAttributes {
  return {
    [ATTR.system]: system,
    [ATTR.operationType]: type,
    [ATTR.operationName]: name,
    ...(destination ? destinationAttributes(destination) : {}),
  };
}

/**
 * An append as a PRODUCER span ("send"): its context is the events' creation context, stored in
 * each event's metadata by `prepare`, which checks and encodes the batch (with the trace keys,
 * so size limits count them). `write` hands the prepared batch to the driver inside the span.
 */
export async function tracedAppend(
  tracing: OtelTracing,
  system: string,
  stream: string,
  count: number,
  prepare: (stamp: (events: PreparedEvent[]) => PreparedEvent[]) => PreparedEvent[],
  write: (events: PreparedEvent[]) => Promise<AppendResult>,
): Promise<AppendResult> {
  const destination = streamDestination(stream);
  const attributes = base(system, "send", "append", destination);
  if (count > 1) attributes[ATTR.batchCount] = count;
  const span = tracing.start(spanName("append", destination), "producer", attributes);
  try {
    const events = prepare((prepared) => tracing.stamp(span, prepared));
    if (events.length === 1) span.setAttribute(ATTR.messageId, events[0]!.id);
    return await tracing.run(span, () => write(events));
  } catch (error) {
    tracing.fail(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/**
 * A read as one "receive" span from the first pull to the last, with the number of events read.
 * It starts under the context active when iteration starts (a command's load, for instance).
 */
export async function* tracedRead(
  tracing: OtelTracing,
  system: string,
  stream: string | undefined,
  events: AsyncIterable<RecordedEvent>,
): AsyncGenerator<RecordedEvent> {
  const destination = stream === undefined ? { name: "$all" } : streamDestination(stream);
  const span = tracing.start(spanName("read", destination), "consumer", base(system, "receive", "read", destination));
  let count = 0;
  try {
    for await (const event of events) {
      count++;
      yield event;
    }
  } catch (error) {
    // A stream that does not exist is an answer, not a failure (a command's first load meets it).
    if (isStreamNotFoundError(error)) span.setAttribute(ATTR.streamExists, false);
    else tracing.fail(span, error);
    throw error;
  } finally {
    span.setAttribute(ATTR.batchCount, count);
    span.end();
  }
}

/** The destination of a subscription target. */
export function targetDestination(target: ResolvedTarget): Destination {
  return target.kind === "stream" ? streamDestination(target.stream) : target.kind === "category" ? { name: target.category } : { name: "$all" };
}

/**
 * One "receive" span per event a subscription hands over, linked to the span that appended it.
 * Subscriptions outlive any caller's span, so each is a root of its own trace.
 */
export function deliveryTracer(
  tracing: OtelTracing,
  system: string,
  destination: Destination,
  group?: string,
): (event: RecordedEvent) => void {
  const attributes = base(system, "receive", "receive", destination);
  if (group !== undefined) attributes[ATTR.consumerGroup] = group;
  const name = spanName("receive", destination);
  return (event) => {
    const link = tracing.linkTo(event.metadata);
    const span = tracing.start(
      name,
      "consumer",
      { ...attributes, [ATTR.messageId]: event.id, [ATTR.eventType]: event.type },
      link ? [link] : undefined,
      true,
    );
    span.end();
  };
}
