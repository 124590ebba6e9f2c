import { spawnSync } from "node:child_process";

/** Runs a command; throws with its output when it fails. Returns stdout. */
export function run(command, args, { cwd, env } = {}) {
  const result = spawnSync(command, args, {
    cwd,
    env: { ...process.env, ...env },
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    const output = `${result.stdout ?? ""}\n${result.stderr ?? ""}`.trim().split("\n").slice(-60).join("\n");
    throw new Error(`\`${command} ${args.join(" ")}\` in ${cwd} exited with ${result.status}:\n${output}`);
  }
  return result.stdout;
}

/** Runs `fn`, printing its name and how long it took. */
export async function step(name, fn) {
  const started = performance.now();
  process.stdout.write(`- ${name} … `);
  try {
    const result = await fn();
    console.log(`${seconds(started)}${result?.note ? `  (${result.note})` : ""}`);
    return result;
  } catch (error) {
    console.log(`FAILED after ${seconds(started)}`);
    throw error;
  }
}

export function seconds(since) {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

export function kilobytes(bytes) {
  return `${(bytes / 1000).toFixed(1)} kB`;
}
