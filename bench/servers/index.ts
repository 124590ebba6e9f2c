import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import type { Family, ServerInfo } from "../types.js";

export interface RunningServer {
  readonly info: ServerInfo;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 30_000;

/**
 * Starts an emulator in its own process (`command` + `args`, e.g. taskset-pinned node) and waits
 * for its announcement line. Stopping closes its stdin and waits for it to exit.
 */
export async function startServer(family: Exclude<Family, "memory">, command: string, args: string[]): Promise<RunningServer> {
  const child = spawn(command, args, { stdio: ["pipe", "pipe", "inherit"] });
  const info = await new Promise<ServerInfo>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${family} server did not start within ${START_TIMEOUT_MS} ms`));
    }, START_TIMEOUT_MS);
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", (line) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(line) as ServerInfo);
      } catch (error) {
        reject(new Error(`${family} server announced something that is not JSON: ${line}`, { cause: error }));
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${family} server exited with code ${code} before announcing itself`));
    });
  });
  // The announcement pid is node's; with taskset in front, child.pid is the same process (exec).
  return { info, stop: () => stopChild(child) };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.stdin?.end();
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}
