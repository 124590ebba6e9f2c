// What a copy tells at the end: what it copied, how fast, and every stream or event it left out and why.
import { copiesStream, type CopyPlan } from "./plan.js";

export interface CopyCounters {
  copied: number;
  alreadyThere: number;
  tombstonesCarried: string[];
  tombstonesNotCarried: string[];
  metadataCarried: number;
  metadataNotCarried: string[];
  seconds: number;
}

export interface CopyReport {
  readonly from: string;
  readonly to: string;
  readonly order: "global" | "streams";
  readonly dryRun: boolean;
  readonly toCopy: number;
  readonly copied: number;
  readonly alreadyThere: number;
  readonly streams: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly renumbered: readonly string[];
  readonly skipped: {
    readonly system: Readonly<Record<string, number>>;
    readonly notFromZero: readonly string[];
    readonly gaps: readonly string[];
    readonly deleted: readonly string[];
    readonly hiddenEvents: number;
  };
  readonly tombstones: { readonly carried: readonly string[]; readonly notCarried: readonly string[]; readonly found: readonly string[] };
  readonly metadata: { readonly carried: number; readonly notCarried: readonly string[] };
  verify?: { streams: number; events: number; differences: number };
}

export function reportOf(input: {
  from: string;
  to: string;
  order: "global" | "streams";
  plan: CopyPlan;
  renumber: boolean;
  total: number;
  dryRun: boolean;
  counters: CopyCounters;
}): CopyReport {
  const { plan, counters } = input;
  const streams = [...plan.streams.values()];
  const named = (state: string) => streams.filter((s) => s.state === state).map((s) => s.stream);
  return {
    from: input.from,
    to: input.to,
    order: input.order,
    dryRun: input.dryRun,
    toCopy: input.total,
    copied: counters.copied,
    alreadyThere: counters.alreadyThere,
    streams: streams.filter((s) => copiesStream(s, input.renumber) && s.selected > s.selectedBeforeCursor).length,
    seconds: round(counters.seconds),
    eventsPerSecond: counters.seconds > 0 ? Math.round(counters.copied / counters.seconds) : 0,
    renumbered: input.renumber ? streams.filter((s) => s.state === "not-from-zero" || s.state === "gaps").map((s) => s.stream) : [],
    skipped: {
      system: Object.fromEntries(plan.system),
      notFromZero: input.renumber ? [] : named("not-from-zero"),
      gaps: input.renumber ? [] : named("gaps"),
      deleted: named("deleted"),
      hiddenEvents: plan.hidden,
    },
    tombstones: { carried: counters.tombstonesCarried, notCarried: counters.tombstonesNotCarried, found: named("tombstoned") },
    metadata: { carried: counters.metadataCarried, notCarried: counters.metadataNotCarried },
  };
}

const LISTED = 10;

export function printReport(report: CopyReport, json: boolean): void {
  if (json) {
    console.log(JSON.stringify(report));
    return;
  }
  const lines: string[] = [];
  if (report.dryRun) {
    lines.push(`dry run: would copy ${report.toCopy} event(s) in ${report.streams} stream(s) from ${report.from} to ${report.to} (${order(report)})`);
  } else {
    lines.push(
      `copied ${report.copied} event(s) in ${report.streams} stream(s) from ${report.from} to ${report.to} in ${report.seconds} s (${report.eventsPerSecond} events/s, ${order(report)})`,
    );
    if (report.alreadyThere > 0) lines.push(`  ${report.alreadyThere} event(s) were already in the target from an interrupted run (same ids): not written again`);
  }
  const system = Object.entries(report.skipped.system);
  if (system.length > 0) lines.push(`  skipped system streams and events ($): ${list(system.map(([name, count]) => `${name} (${count})`))}`);
  if (report.skipped.notFromZero.length > 0) {
    lines.push(`  skipped, retained events do not start at revision 0 (--renumber copies them from 0): ${list(report.skipped.notFromZero)}`);
  }
  if (report.skipped.gaps.length > 0) lines.push(`  skipped, the --type filter leaves gaps in their revisions (--renumber closes them): ${list(report.skipped.gaps)}`);
  if (report.renumbered.length > 0) lines.push(`  renumbered from revision 0: ${list(report.renumbered)}`);
  if (report.skipped.deleted.length > 0) lines.push(`  deleted streams, nothing retained to copy: ${list(report.skipped.deleted)}`);
  if (report.tombstones.found.length > 0) {
    if (report.dryRun) lines.push(`  tombstoned streams (tombstoned in the target, where it can): ${list(report.tombstones.found)}`);
    if (report.tombstones.carried.length > 0) lines.push(`  tombstones carried: ${list(report.tombstones.carried)}`);
    if (report.tombstones.notCarried.length > 0) lines.push(`  tombstones NOT carried (the target cannot tombstone): ${list(report.tombstones.notCarried)}`);
  }
  if (report.metadata.carried > 0) lines.push(`  stream metadata carried for ${report.metadata.carried} stream(s)`);
  if (report.metadata.notCarried.length > 0) lines.push(`  stream metadata NOT carried (the target has none): ${list(report.metadata.notCarried)}`);
  if (report.verify) {
    lines.push(
      report.verify.differences === 0
        ? `verified: ${report.verify.events} event(s) in ${report.verify.streams} stream(s) are the same in both stores`
        : `verify: ${report.verify.differences} difference(s) in ${report.verify.streams} stream(s)`,
    );
  }
  console.log(lines.join("\n"));
}

function order(report: CopyReport): string {
  return report.order === "global" ? "in global order" : "stream by stream";
}

function list(names: readonly string[]): string {
  const head = names.slice(0, LISTED).join(", ");
  return names.length > LISTED ? `${head} and ${names.length - LISTED} more` : head;
}

function round(seconds: number): number {
  return Math.round(seconds * 100) / 100;
}
