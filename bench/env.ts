import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";

export interface Environment {
  readonly date: string;
  readonly node: string;
  readonly platform: string;
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly gitSha: string;
  /** True when the working tree had uncommitted changes at the start of the run. */
  readonly gitDirty: boolean;
  readonly packages: Record<string, string>;
  /** 1-minute load average at the start and end of the run (other work on the machine). */
  readonly loadAverage: { readonly start: number; end?: number };
}

const PACKAGES = [
  "@event-driven-io/emmett",
  "@eventstore/db-client",
  "@grpc/grpc-js",
  "protobufjs",
  "zod",
  "tsx",
  "tsup",
];

export function collectEnvironment(root: string): Environment {
  const cpus = os.cpus();
  const packages: Record<string, string> = { "switchyard-events": versionOf(join(root, "package.json")) };
  for (const name of PACKAGES) packages[name] = versionOf(join(root, "node_modules", name, "package.json"));
  return {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    gitSha: git(root, ["rev-parse", "--short=12", "HEAD"]),
    gitDirty: git(root, ["status", "--porcelain"]).length > 0,
    packages,
    loadAverage: { start: round2(os.loadavg()[0]!) },
  };
}

export function loadAverageNow(): number {
  return round2(os.loadavg()[0]!);
}

function versionOf(packageJson: string): string {
  try {
    return (JSON.parse(readFileSync(packageJson, "utf8")) as { version: string }).version;
  } catch {
    return "not installed";
  }
}

function git(root: string, args: string[]): string {
  try {
    return execFileSync("git", args, { cwd: root, encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
