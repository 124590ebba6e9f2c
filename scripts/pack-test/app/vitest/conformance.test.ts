// vitest: the runner is vitest's module; its `expect` is used as it is.
import * as vitest from "vitest";
import { z } from "zod";
import { EventRegistry, type Decider, type EventsOf } from "switchyard-events";
import { createMemoryEventStream } from "switchyard-events/memory";
import { deciderSpec, runConformanceSuite } from "switchyard-events/testing";

const capabilities = createMemoryEventStream().capabilities;
runConformanceSuite(vitest, { name: "memory", capabilities, create: () => createMemoryEventStream() });
// Declared without persistent subscriptions, so that the runner reports skipped cases too.
runConformanceSuite(vitest, {
  name: "memory, persistent subscriptions left out",
  capabilities: { ...capabilities, persistentSubscriptions: false },
  create: () => createMemoryEventStream(),
});

const events = new EventRegistry().register("Added", z.object({ by: z.number().int().positive() }));
const counter: Decider<{ by: number }, EventsOf<typeof events>, number> = {
  initialState: 0,
  evolve: (total, event) => total + event.data.by,
  decide: (command, total) => {
    if (total + command.by > 10) throw new RangeError("The counter stops at 10");
    return [{ type: "Added", data: { by: command.by } }];
  },
};

vitest.describe("given/when/then", () => {
  const spec = deciderSpec(counter, { events });
  vitest.it("passes when the outcome matches", async () => {
    await spec.given([{ type: "Added", data: { by: 9 } }]).when({ by: 1 }).then([{ type: "Added", data: { by: 1 } }]);
    await spec.given([{ type: "Added", data: { by: 9 } }]).when({ by: 2 }).then(RangeError);
  });
  vitest.it("rejects when it does not", async () => {
    await vitest.expect(spec.given([]).when({ by: 1 }).then([{ type: "Added", data: { by: 2 } }])).rejects.toThrow(/other events/);
  });
});
