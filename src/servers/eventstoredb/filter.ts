// Server-side `$all` filters (by stream name or event type; regex wins over prefixes, as in
// EventFilter) and the checkpoint cadence of filtered subscriptions.
import type { StoredEvent } from "./store.js";

/** The server's read batch size: the search window when the client sends `count` instead of `max`. */
export const READ_BATCH_SIZE = 32;

export interface EventFilter {
  matches(event: StoredEvent): boolean;
  /** Emit a checkpoint after this many considered events. */
  readonly checkpointInterval: number;
  /** Events considered per catch-up page. */
  readonly window: number;
}

interface Expression {
  getRegex(): string;
  getPrefixList(): string[];
}

/** The filter options of Streams.Read and of persistent subscriptions to `$all` share this shape. */
export interface FilterOptionsMessage {
  hasStreamIdentifier(): boolean;
  getStreamIdentifier(): Expression | undefined;
  getEventType(): Expression | undefined;
  hasMax(): boolean;
  getMax(): number;
  getCheckpointintervalmultiplier(): number;
}

export function eventFilterOf(options: FilterOptionsMessage): EventFilter {
  const onStream = options.hasStreamIdentifier();
  const expression = onStream ? options.getStreamIdentifier() : options.getEventType();
  const regex = expression?.getRegex() ?? "";
  const prefixes = expression?.getPrefixList() ?? [];
  const pattern = regex === "" ? undefined : new RegExp(regex);
  const test = (value: string) =>
    pattern !== undefined ? pattern.test(value) : prefixes.some((prefix) => value.startsWith(prefix));
  const window = options.hasMax() ? options.getMax() : READ_BATCH_SIZE;
  const multiplier = Math.max(1, options.getCheckpointintervalmultiplier());
  return {
    matches: (event) => test(onStream ? event.stream : event.type),
    checkpointInterval: multiplier * window,
    window,
  };
}
