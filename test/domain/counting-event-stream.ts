import type { Capabilities } from "../../src/core/capabilities.js";
import type { RecordedEvent } from "../../src/core/event.js";
import type { EventStream, ReadOptions } from "../../src/core/event-stream.js";

/** Counts the events `read()` yields, per stream, by wrapping an EventStream in a proxy. */
export interface ReadCounter {
  readonly eventStream: EventStream;
  /** Events yielded by read() since the last reset, per stream. */
  readonly perStream: Map<string, number>;
  total(): number;
  reset(): void;
}

export function countReads(inner: EventStream, capabilityOverrides: Partial<Capabilities> = {}): ReadCounter {
  const perStream = new Map<string, number>();
  const capabilities = Object.freeze({ ...inner.capabilities, ...capabilityOverrides });
  const eventStream = new Proxy(inner, {
    get(target, property) {
      if (property === "capabilities") return capabilities;
      if (property === "read") {
        return (stream: string, options?: ReadOptions): AsyncIterable<RecordedEvent> => ({
          async *[Symbol.asyncIterator]() {
            for await (const event of target.read(stream, options)) {
              perStream.set(stream, (perStream.get(stream) ?? 0) + 1);
              yield event;
            }
          },
        });
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return {
    eventStream,
    perStream,
    total: () => [...perStream.values()].reduce((a, b) => a + b, 0),
    reset: () => perStream.clear(),
  };
}
