/**
 * The OpenTelemetry messaging semantic conventions our spans follow, at this version (the one
 * where `messaging.operation.type` took `send` for `publish` and `messaging.operation.name`
 * became required; later versions rename `messaging.system` to `messaging.system.name`).
 */
export const SEMCONV_VERSION = "1.27.0";

export const ATTR = {
  system: "messaging.system",
  operationType: "messaging.operation.type",
  operationName: "messaging.operation.name",
  destinationName: "messaging.destination.name",
  destinationTemplate: "messaging.destination.template",
  batchCount: "messaging.batch.message_count",
  messageId: "messaging.message.id",
  consumerGroup: "messaging.consumer.group.name",
  errorType: "error.type",
  commandAttempt: "switchyard.command.attempt",
  commandAttempts: "switchyard.command.attempts",
  commandConflicts: "switchyard.command.conflicts",
  commandDuplicate: "switchyard.command.duplicate",
  eventType: "switchyard.event.type",
  streamExists: "switchyard.stream.exists",
} as const;

/** Where a span's destination attributes and name come from: a stream, a category, or `$all`. */
export interface Destination {
  readonly name: string;
  /** Low-cardinality form of `name` (`order-{id}` for `order-42`), used in the span name. */
  readonly template?: string;
}

/** A stream's destination: streams named `<category>-<id>` get the template `<category>-{id}`. */
export function streamDestination(stream: string): Destination {
  // The category separator of subscription targets: "account-42" is in "account".
  const dash = stream.indexOf("-");
  return dash > 0 ? { name: stream, template: `${stream.slice(0, dash)}-{id}` } : { name: stream };
}

/** `{operation} {destination}`, the destination in its low-cardinality form where it has one. */
export function spanName(operation: string, destination: Destination | undefined): string {
  if (!destination) return operation;
  return `${operation} ${destination.template ?? destination.name}`;
}

/** Attributes for a destination. */
export function destinationAttributes(destination: Destination): Record<string, string> {
  return destination.template === undefined
    ? { [ATTR.destinationName]: destination.name }
    : { [ATTR.destinationName]: destination.name, [ATTR.destinationTemplate]: destination.template };
}
