import type { RecordedEvent } from "../event.js";
import { ATTR, destinationAttributes, type Destination } from "./semconv.js";
import type { OtelTracing, Span, SpanAttributes } from "./tracing.js";

/**
 * A projection's batch as one "process" span: the events handled up to the checkpoint save that
 * commits them (`checkpointEvery` events; one by default), linked to the span that appended each.
 * Handlers run inside it, so their own spans are its children. Each batch is a root: the
 * projection's loop outlives whatever span was active when it started.
 */
export class ProjectionBatchSpan {
  readonly #tracing: OtelTracing;
  readonly #name: string;
  readonly #attributes: SpanAttributes;
  #span: Span | undefined;
  #count = 0;
  #firstId = "";

  constructor(tracing: OtelTracing, system: string, projection: string, source: Destination) {
    this.#tracing = tracing;
    this.#name = `process ${projection}`;
    this.#attributes = {
      [ATTR.system]: system,
      [ATTR.operationType]: "process",
      [ATTR.operationName]: "process",
      [ATTR.consumerGroup]: projection,
      ...destinationAttributes(source),
    };
  }

  /** Counts the event into the open batch (opening one if none is), linked to its writer. */
  add(event: RecordedEvent): void {
    const link = this.#tracing.linkTo(event.metadata);
    if (this.#span === undefined) {
      this.#span = this.#tracing.start(this.#name, "consumer", this.#attributes, link ? [link] : undefined, true);
      this.#firstId = event.id;
    } else if (link) {
      this.#span.addLink(link);
    }
    this.#count++;
  }

  /** Runs `fn` inside the open batch's span (or plainly when none is open). */
  run<T>(fn: () => Promise<T>): Promise<T> {
    return this.#span ? this.#tracing.run(this.#span, fn) : fn();
  }

  /** Ends the open batch, marked failed when `error` is given. */
  end(error?: unknown): void {
    const span = this.#span;
    if (!span) return;
    this.#span = undefined;
    // A single-message span carries the message id; a batch carries its count instead.
    if (this.#count > 1) span.setAttribute(ATTR.batchCount, this.#count);
    else span.setAttribute(ATTR.messageId, this.#firstId);
    this.#count = 0;
    if (error !== undefined) this.#tracing.fail(span, error);
    span.end();
  }
}
