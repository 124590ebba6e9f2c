import { BACKWARDS, END, FORWARDS, START, type EventStoreDBClient, type ReadPosition } from "@eventstore/db-client";
import type { CodecRegistry } from "../../core/codec.js";
import type { ReadAllRequest } from "../../core/driver.js";
import type { RecordedEvent } from "../../core/event.js";
import { drain } from "./drain.js";
import type { OperationContext } from "./errors.js";
import { recordMapper } from "./event-mapping.js";
import { planFilter } from "./filter-mapping.js";
import { toClientPosition } from "./position-mapping.js";

const context: OperationContext = { operation: "readAll" };

/** `$all` in our order, from an inclusive start, with the filter applied and system events hidden. */
export async function* readAllEvents(
  client: EventStoreDBClient,
  codecs: CodecRegistry,
  { direction, from, maxCount, filter, signal }: ReadAllRequest,
): AsyncGenerator<RecordedEvent> {
  if (from === "end" && direction === "forwards") return;
  // 6.2.1's readAll has no server-side filter: filtering (and hiding system events) runs here.
  const { accepts } = planFilter(filter);
  const fromPosition: ReadPosition =
    from === "start" ? (direction === "forwards" ? START : END) : from === "end" ? END : toClientPosition(from);
  const toRecorded = recordMapper(codecs);
  let delivered = 0n;
  if (direction === "backwards" && typeof fromPosition === "object") {
    // ESDB reads backwards from P exclusively; our `from` is inclusive, so fetch the event at P.
    const atFrom = client.readAll({ fromPosition, direction: FORWARDS, maxCount: 1 });
    for await (const resolved of drain(atFrom, signal, context, 1n)) {
      const position = resolved.event?.position;
      if (!resolved.event || !position || position.commit !== fromPosition.commit || position.prepare !== fromPosition.prepare) continue;
      const event = toRecorded(resolved.event);
      if (!accepts(event)) continue;
      delivered++;
      yield event;
    }
  }
  if (maxCount !== undefined && delivered >= maxCount) return;
  const read = client.readAll({ fromPosition, direction: direction === "forwards" ? FORWARDS : BACKWARDS });
  for await (const resolved of drain(read, signal, context)) {
    if (!resolved.event) continue;
    const event = toRecorded(resolved.event);
    if (!accepts(event)) continue;
    yield event;
    if (maxCount !== undefined && ++delivered >= maxCount) return;
  }
}
