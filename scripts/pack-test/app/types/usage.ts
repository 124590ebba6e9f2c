// Typed use of the public API from the packed package.
import { connect, EventRegistry, type EventStream, type RecordedEvent } from "switchyard-events";
import { createMemoryEventStream } from "switchyard-events/memory";
import { deciderSpec, runConformanceSuite, type ConformanceOptions, type TestRunner } from "switchyard-events/testing";
import { z } from "zod";

export const events = new EventRegistry().register("Noted", z.object({ text: z.string() }));

export async function roundTrip(url: string): Promise<readonly RecordedEvent[]> {
  const store: EventStream = await connect(url);
  try {
    await store.append("note-1", [events.toEventData({ type: "Noted", data: { text: "hi" } })]);
    const read: RecordedEvent[] = [];
    for await (const event of store.read("note-1")) read.push(event);
    return read;
  } finally {
    await store.close();
  }
}

const options: ConformanceOptions = {
  name: "memory",
  capabilities: createMemoryEventStream().capabilities,
  create: () => createMemoryEventStream(),
};

export function register(runner: TestRunner): void {
  runConformanceSuite(runner, options);
}

export const noted = deciderSpec({
  initialState: 0,
  evolve: (count: number) => count + 1,
  decide: (command: { text: string }) => [{ type: "Noted" as const, data: { text: command.text } }],
}, { events });
