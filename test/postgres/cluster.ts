/**
 * A throwaway PostgreSQL cluster for tests that hold transactions open, stop the server or
 * measure ordering: on the shared server they would stall other files' `$all` readers (xmin is
 * cluster-wide). initdb/pg_ctl run as the postgres user when this process is root.
 */
import { execFileSync } from "node:child_process";
import { chownSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";

const BIN = process.env.SWITCHYARD_PG_BIN ?? "/usr/lib/postgresql/15/bin";

export interface Cluster {
  readonly url: string;
  readonly port: number;
  start(): void;
  /** `fast` rolls back open transactions and closes connections; `immediate` kills the server. */
  stop(mode?: "fast" | "immediate"): void;
  destroy(): void;
}

function asPostgres(command: string, args: string[]): void {
  const asRoot = userInfo().uid === 0;
  execFileSync(asRoot ? "runuser" : join(BIN, command), asRoot ? ["-u", "postgres", "--", join(BIN, command), ...args] : args, {
    stdio: "pipe",
    timeout: 60_000,
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startCluster(): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-pg-"));
  if (userInfo().uid === 0) {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, "data");
  const port = await freePort();
  asPostgres("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`;
  const cluster: Cluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start: () => asPostgres("pg_ctl", ["-D", data, "-o", options, "-l", join(dir, "log"), "-w", "start"]),
    stop: (mode = "fast") => asPostgres("pg_ctl", ["-D", data, "-m", mode, "-w", "stop"]),
    destroy: () => {
      try {
        cluster.stop("immediate");
      } catch {
        // Already stopped.
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  cluster.start();
  return cluster;
}
