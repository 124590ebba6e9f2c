import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const CHILD = fileURLToPath(new URL("./child.ts", import.meta.url));

export interface Child {
  readonly process: ChildProcessWithoutNullStreams;
  /** Every JSON line printed so far. */
  readonly lines: unknown[];
  /** Resolves once a printed line satisfies `test`. */
  waitFor(test: (line: unknown) => boolean, timeoutMs: number): Promise<unknown>;
  send(line: string): void;
  exited: Promise<number | null>;
}

/** Starts test/sqlite/child.ts in its own Node process (through tsx). */
export function startChild(...args: string[]): Child {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  const lines: unknown[] = [];
  const listeners = new Set<() => void>();
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout }).on("line", (line) => {
    lines.push(JSON.parse(line));
    for (const listener of listeners) listener();
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    process: child,
    lines,
    exited,
    send: (line) => child.stdin.write(line + "\n"),
    waitFor: (test, timeoutMs) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = lines.find(test);
          if (found === undefined) return;
          cleanup();
          resolve(found);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`child ${args[0]} printed no expected line in ${timeoutMs} ms; stderr: ${stderr}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        void exited.then(() => setTimeout(check, 0));
        check();
      }),
  };
}
