import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { EventStream } from "../../src/core/event-stream.js";
import { Aggregate, EventRegistry, type Decider, type EventsOf } from "../../src/core/domain/index.js";

/** A category no other test or run uses (letters and digits: valid on every backend). */
export function uniqueCategory(label = "t"): string {
  return `${label}${randomBytes(5).toString("hex")}`;
}

/** A counter: "Add" appends `times` Added events of `by` each. */
export const counterEvents = new EventRegistry().register("Added", z.object({ by: z.number().int() }));
export type CounterEvent = EventsOf<typeof counterEvents>;
export type CounterCommand = { readonly type: "Add"; readonly by: number; readonly times?: number };

export const counter: Decider<CounterCommand, CounterEvent, { total: number; events: number }> = {
  initialState: { total: 0, events: 0 },
  evolve: (state, event) => ({ total: state.total + event.data.by, events: state.events + 1 }),
  decide: (command) => Array.from({ length: command.times ?? 1 }, () => ({ type: "Added" as const, data: { by: command.by } })),
};

/** The same counter as a class, to show both styles run through one handler. */
export class CounterAggregate extends Aggregate<CounterEvent, number> {
  static readonly initialState = 0;
  evolve(state: number, event: CounterEvent): number {
    return state + event.data.by;
  }
  add(by: number): void {
    if (by <= 0) throw new RangeError("add() takes a positive number");
    this.raise({ type: "Added", data: { by } });
  }
}

/**
 * Holds every append until `size` of them are waiting, then lets them all go at once: a
 * deterministic way to make concurrent commands collide. Only the first `size` appends are held.
 */
export function gateAppends(inner: EventStream, size: number): EventStream {
  let waiting: (() => void)[] = [];
  let held = 0;
  return new Proxy(inner, {
    get(target, property) {
      if (property === "append") {
        return async (...args: Parameters<EventStream["append"]>) => {
          if (held < size) {
            held++;
            await new Promise<void>((release) => {
              waiting.push(release);
              if (waiting.length === size) {
                for (const go of waiting) go();
                waiting = [];
              }
            });
          }
          return target.append(...args);
        };
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

export async function readAllOf(eventStream: EventStream, stream: string) {
  const events = [];
  for await (const event of eventStream.read(stream)) events.push(event);
  return events;
}

/** Resolves when `condition` holds, polling; rejects after `timeoutMs`. */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
