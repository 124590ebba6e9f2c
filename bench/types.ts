/** Shared vocabulary of the benchmark: subjects, workloads, what a child process reports. */

export const SUBJECTS = [
  "floor",
  "json-floor",
  "emmett-mem",
  "ours-mem",
  "esdb-raw",
  "ours-esdb",
  "ensign-raw",
  "ours-ensign",
  "ours-ensign-default",
  "sqlite-raw",
  "emmett-sqlite",
  "ours-sqlite",
  "pg-raw",
  "emmett-pg",
  "ours-pg",
  "nats-raw",
  "ours-nats",
  "nats3-raw",
  "ours-nats3",
] as const;
export type SubjectName = (typeof SUBJECTS)[number];

/** Subjects of one family share a server (or none) and the same workload sizes. */
export type Family = "memory" | "esdb" | "ensign" | "sqlite" | "postgres" | "nats" | "nats3";

export type SizeProfile = "full" | "quick" | "tiny";

/** The event every subject appends: the same bytes on both sides of every ratio. */
export interface BenchEvent {
  readonly type: "ProductItemAdded";
  readonly data: { readonly productId: string; readonly quantity: number; readonly price: number };
}

/** The command handler's model: count items and sum quantities; every command adds one item. */
export interface CartState {
  readonly items: number;
  readonly quantity: number;
}

export interface ServerInfo {
  /** Connection string or URL the subject connects to. */
  readonly url: string;
  /** The server's process id, to read its CPU time from /proc. */
  readonly pid: number;
  readonly extra?: Record<string, string>;
}

export interface Servers {
  esdb?: ServerInfo;
  ensign?: ServerInfo;
  /** The machine's nats-server (127.0.0.1:4222) or a three-node cluster started for the process. */
  nats?: ServerInfo;
  nats3?: ServerInfo;
}

/** What the orchestrator hands a child process (as JSON in argv). */
export interface ChildSpec {
  readonly subject: SubjectName;
  /** One workload per process in full mode; all of a subject's workloads in one process in quick and tiny mode. */
  readonly workloads: readonly string[];
  readonly size: SizeProfile;
  readonly round: number;
  readonly seed: number;
  readonly servers: Servers;
}

/** One timed section of one (subject × workload) cell. */
export interface Measurement {
  readonly events: number;
  readonly ops: number;
  readonly seconds: number;
  readonly eventsPerSec: number;
  readonly opsPerSec: number;
  /** Per-operation latency; undefined when the workload has no per-operation unit. */
  readonly p50Us: number | undefined;
  readonly p99Us: number | undefined;
  /** CPU (user + system) of the client process per event. */
  readonly cpuUsPerEvent: number;
  /** CPU of the server process per event, where there is one and /proc is readable. */
  readonly serverCpuUsPerEvent: number | undefined;
  /** Workload-specific counters, e.g. conflicts. */
  readonly extra?: Record<string, number>;
  /**
   * Set when the timed section hit its time budget before finishing: the events it was meant to
   * append. Figures then cover the part that ran (see `progress`).
   */
  readonly truncatedAt?: number;
  readonly planned?: number;
  /** Seconds elapsed after each hundredth of the planned operations (sequential workloads). */
  readonly progress?: readonly number[];
}

export interface CellResult extends Measurement {
  readonly subject: SubjectName;
  readonly workload: string;
  readonly round: number;
  /** Wall time of the whole cell in its process: set-up, prefill and warm-up included (what the run spends). */
  readonly wallSeconds?: number;
}
