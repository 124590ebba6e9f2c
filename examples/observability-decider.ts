import type { Decider } from "../src/index.js";

/** The counter's one event. */
export type Added = { readonly type: "Added"; readonly data: { readonly by: number } };
type Add = { readonly type: "Add"; readonly by: number; readonly times: number };

/** The counter of examples/observability.ts: "Add" appends `times` Added events. */
export const decider: Decider<Add, Added, number> = {
  initialState: 0,
  evolve: (total, event) => total + event.data.by,
  decide: (command) => Array.from({ length: command.times }, () => ({ type: "Added" as const, data: { by: command.by } })),
};
