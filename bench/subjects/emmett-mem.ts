import { getInMemoryEventStore } from "@event-driven-io/emmett";
import { emmettSubject } from "./emmett-subject.js";
import type { Subject } from "./subject.js";

/** Emmett's in-memory store (pinned devDependency), used only by the benchmark. */
export async function createEmmettMemory(): Promise<Subject> {
  return emmettSubject(getInMemoryEventStore(), {
    name: "emmett-mem",
    family: "memory",
    notes: ["no catch-up subscription on its in-memory store"],
    async close() {},
  });
}
