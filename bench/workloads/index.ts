import { append1, appendBatch10, appendBatch100, concurrent8, contended8, shape100kx1, shape1kx100, shape1x100k } from "./append.js";
import { catchUp100k, fold100, load10k, load10kSnapshot } from "./domain.js";
import { read100, read10, read10k } from "./read.js";
import type { Workload } from "./workload.js";

/** Every workload, in report order. */
export const WORKLOADS: readonly Workload[] = [
  append1,
  appendBatch10,
  appendBatch100,
  concurrent8,
  contended8,
  read10,
  read100,
  read10k,
  fold100,
  catchUp100k,
  shape1x100k,
  shape1kx100,
  shape100kx1,
  load10k,
  load10kSnapshot,
];

export function workloadById(id: string): Workload {
  const workload = WORKLOADS.find((w) => w.id === id);
  if (!workload) throw new Error(`Unknown workload "${id}"`);
  return workload;
}
