import { createMemoryEventStream } from "../../src/adapters/memory/index.js";
import { portSubject } from "./port-subject.js";
import type { Subject } from "./subject.js";

/** Our memory adapter, through the port. */
export async function createOursMemory(): Promise<Subject> {
  return portSubject("ours-mem", "memory", createMemoryEventStream());
}
