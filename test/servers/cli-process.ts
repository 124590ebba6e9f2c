// Runs `switchyard serve …` as users do: the package's bin (dist/cli.js, built by npm test's
// pretest) in a child process, reading the one JSON line `--json` prints once it listens.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { bin: Record<string, string> };
const bin = join(root, pkg.bin["switchyard"]!);

export interface ServeOutput {
  readonly url: string;
  readonly port: number;
  readonly startupMs: number;
  readonly connectionString?: string;
  readonly [key: string]: unknown;
}

export interface ServeProcess {
  readonly child: ChildProcess;
  readonly details: ServeOutput;
  /** Milliseconds from spawning the process to its JSON line (Node start and imports included). */
  readonly spawnToReadyMs: number;
  /** Sends SIGINT (Ctrl-C) and resolves with the exit code. */
  interrupt(): Promise<number | null>;
}

export async function serve(args: readonly string[]): Promise<ServeProcess> {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run npm run build`);
  const started = performance.now();
  const child = spawn(process.execPath, [bin, "serve", ...args, "--json"], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  const details = await new Promise<ServeOutput>((done, fail) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", (line) => done(JSON.parse(line) as ServeOutput));
    void exited.then((code) => fail(new Error(`switchyard serve exited with ${code}: ${stderr}`)));
  });
  return {
    child,
    details,
    spawnToReadyMs: Math.round(performance.now() - started),
    async interrupt() {
      child.kill("SIGINT");
      return exited;
    },
  };
}
