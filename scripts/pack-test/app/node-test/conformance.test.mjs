// node --test: the runner is the node:test module itself; with no `expect`, the suite asserts with node:assert.
import { rejects } from "node:assert/strict";
import * as nodeTest from "node:test";
import { z } from "zod";
import { EventRegistry } from "switchyard-events";
import { createMemoryEventStream } from "switchyard-events/memory";
import { deciderSpec, runConformanceSuite } from "switchyard-events/testing";

const capabilities = createMemoryEventStream().capabilities;
runConformanceSuite(nodeTest, { name: "memory", capabilities, create: () => createMemoryEventStream() });
// Declared without persistent subscriptions, so that the runner reports skipped cases too.
runConformanceSuite(nodeTest, {
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

nodeTest.describe("given/when/then", () => {
  const spec = deciderSpec(counter, { events });
  nodeTest.it("passes when the outcome matches", async () => {
    await spec.given([{ type: "Added", data: { by: 9 } }]).when({ by: 1 }).then([{ type: "Added", data: { by: 1 } }]);
    await spec.given([{ type: "Added", data: { by: 9 } }]).when({ by: 2 }).then(RangeError);
  });
  nodeTest.it("rejects when it does not", async () => {
    await rejects(spec.given([]).when({ by: 1 }).then([{ type: "Added", data: { by: 2 } }]), { name: "AssertionError" });
  });
});
