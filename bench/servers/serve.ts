import type { ServerInfo } from "../types.js";

/** Announces the server on stdout, then closes it when the parent closes our stdin. */
export function serveUntilStdinCloses(info: ServerInfo, close: () => Promise<void>): void {
  process.stdout.write(`${JSON.stringify(info)}\n`);
  process.stdin.resume();
  process.stdin.on("end", () => {
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}
