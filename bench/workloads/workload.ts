import type { Subject } from "../subjects/subject.js";
import { SUBJECTS, type Family, type Measurement, type SizeProfile, type SubjectName } from "../types.js";

export interface WorkloadContext {
  readonly subject: Subject;
  readonly size: SizeProfile;
  readonly seed: number;
  /** Alphanumeric, unique per cell: streams are named `${category}-${tag}${n}` (Ensign maps category → topic). */
  readonly category: string;
  /** The server process (network subjects), to measure its CPU. */
  readonly serverPid: number | undefined;
  /** A second, empty instance of the subject (new store or new client), for workloads that need one. */
  createSubject(): Promise<Subject>;
  /** Sequential timed sections stop after this many seconds (see timedLoop). */
  readonly budgetSeconds: number;
}

export interface Workload {
  readonly id: string;
  readonly title: string;
  /** What one "op" is, for the report. */
  readonly unit: string;
  readonly subjects: readonly SubjectName[];
  run(context: WorkloadContext): Promise<Measurement>;
}

/** The NATS subjects run the append workloads only: the raw side is a publisher, with no reads or command handler. */
export const NATS_SUBJECTS: readonly SubjectName[] = ["nats-raw", "ours-nats", "nats3-raw", "ours-nats3"];
export const ALL_SUBJECTS: readonly SubjectName[] = SUBJECTS.filter((s) => !NATS_SUBJECTS.includes(s));
export const APPEND_SUBJECTS: readonly SubjectName[] = SUBJECTS;
/**
 * Subjects that sit out the short-stream reads (read-10, read-100), to keep a full run within 20
 * minutes: the object floor (informational; the JSON floor is the one held to targets) and
 * Emmett's SQLite store (its many small appends to fill them take a third of its time).
 */
export const LEAN_SUBJECTS: readonly SubjectName[] = ["floor", "emmett-sqlite"];
/** Subjects whose store checks expected revisions (the command handler and contended writers need them). */
export const REVISION_SUBJECTS: readonly SubjectName[] = ALL_SUBJECTS.filter((s) => s !== "ensign-raw" && s !== "ours-ensign-default");
export const MEMORY_SUBJECTS: readonly SubjectName[] = ["floor", "json-floor", "emmett-mem", "ours-mem"];

/**
 * Workload parameters per size profile and family ("network" = esdb, ensign, PostgreSQL and NATS;
 * SQLite, in process, takes the memory sizes unless its row says otherwise).
 */
export type Sized<T> = Record<SizeProfile, { memory: T; network: T; sqlite?: T }>;

export function sized<T>(table: Sized<T>, context: WorkloadContext): T {
  const row = table[context.size];
  const { family } = context.subject;
  if (family === "sqlite") return row.sqlite ?? row.memory;
  return family === "memory" ? row.memory : row.network;
}

/** Latency sampling: every op on the network (ms scale), one in 8 in memory (sub-µs scale). */
export function sampleEvery(family: Family): number {
  return family === "memory" ? 8 : 1;
}

/** Every stream of a cell shares one category (on Ensign: one topic). */
export function streamName(context: WorkloadContext, tag: string, index: number): string {
  return `${context.category}-${tag}${index}`;
}
