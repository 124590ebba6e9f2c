// jest (CommonJS, plain JS): its globals are the runner, its `expect` is used as it is.
const { z } = require("zod");
const { EventRegistry } = require("switchyard-events");
const { createMemoryEventStream } = require("switchyard-events/memory");
const { deciderSpec, runConformanceSuite } = require("switchyard-events/testing");

const capabilities = createMemoryEventStream().capabilities;
runConformanceSuite({ describe, it, beforeAll, afterAll, expect }, { name: "memory", capabilities, create: () => createMemoryEventStream() });
// Declared without persistent subscriptions, so that the runner reports skipped cases too.
runConformanceSuite({ describe, it, beforeAll, afterAll, expect }, {
  name: "memory, persistent subscriptions left out",
  capabilities: { ...capabilities, persistentSubscriptions: false },
  create: () => createMemoryEventStream(),
});

const events = new EventRegistry().register("Added", z.object({ by: z.number().int().positive() }));
const counter = {
  initialState: 0,
  evolve: (total, event) => total + event.data.by,
  decide: (command, total) => {
    if (total + command.by > 10) throw new RangeError("The counter stops at 10");
    return [{ type: "Added", data: { by: command.by } }];
  },
};

describe("given/when/then", () => {
  const spec = deciderSpec(counter, { events });
  it("passes when the outcome matches", async () => {
    await spec.given([{ type: "Added", data: { by: 9 } }]).when({ by: 1 }).then([{ type: "Added", data: { by: 1 } }]);
    await spec.given([{ type: "Added", data: { by: 9 } }]).when({ by: 2 }).then(RangeError);
  });
  it("rejects when it does not", async () => {
    await expect(spec.given([]).when({ by: 1 }).then([{ type: "Added", data: { by: 2 } }])).rejects.toThrow(/other events/);
  });
});
