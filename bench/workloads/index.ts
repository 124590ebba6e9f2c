import { append1, appendBatch10, appendBatch100, concurrent8, contended8 } from "./append.js";
import { catchUp100k, fold100, snapshotsEvery100 } from "./domain.js";
import { read100, read10, read10k } from "./read.js";
import { SIZE_WORKLOADS } from "./size.js";
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
  ...SIZE_WORKLOADS,
  snapshotsEvery100,
];

export function workloadById(id: string): Workload {
  const workload = WORKLOADS.find((w) => w.id === id);
  if (!workload) throw new Error(`Unknown workload "${id}"`);
  return workload;
}
