import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";

export const NATS_SERVER = process.env.NATS_SERVER_BIN ?? "/usr/sbin/nats-server";

export interface ClusterNode {
  readonly name: string;
  readonly port: number;
  process: ChildProcess | undefined;
}

/** Three nats-server processes with JetStream, routed to each other on loopback, each in its own temp dir. */
export interface NatsCluster {
  readonly nodes: readonly ClusterNode[];
  /** `nats://127.0.0.1:a,127.0.0.1:b,127.0.0.1:c` */
  readonly url: string;
  /** SIGKILLs one node (no goodbye to its peers: a crash). */
  kill(name: string): Promise<void>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startNatsCluster(size = 3): Promise<NatsCluster> {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-nats-cluster-"));
  const ports = await Promise.all(Array.from({ length: size * 2 }, freePort));
  const clusterName = `sy${process.pid}`;
  const routes = Array.from({ length: size }, (_, i) => `nats://127.0.0.1:${ports[size + i]}`);
  const nodes: ClusterNode[] = [];
  for (let i = 0; i < size; i++) {
    const name = `n${i + 1}`;
    const child = spawn(
      NATS_SERVER,
      [
        "-a", "127.0.0.1", "-p", String(ports[i]), "-n", name, "-js", "-sd", join(dir, name),
        "--cluster_name", clusterName, "--cluster", routes[i]!, "--routes", routes.filter((_, j) => j !== i).join(","),
      ],
      { stdio: "ignore" },
    );
    nodes.push({ name, port: ports[i]!, process: child });
  }
  const url = `nats://${nodes.map((n) => `127.0.0.1:${n.port}`).join(",")}`;
  const cluster: NatsCluster = {
    nodes,
    url,
    async kill(name) {
      const node = nodes.find((n) => n.name === name);
      const child = node?.process;
      if (!child) return;
      node.process = undefined;
      await new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGKILL");
      });
    },
    async stop() {
      await Promise.all(nodes.map((n) => cluster.kill(n.name)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await waitForJetStream(nodes.map((n) => `127.0.0.1:${n.port}`), 20_000);
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}

/** Until the JetStream meta group has a leader (an account info request is answered). */
async function waitForJetStream(servers: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const nc = await connect({ servers, timeout: 1_000 });
      try {
        const jsm = await jetstreamManager(nc, { timeout: 1_000 });
        await jsm.getAccountInfo();
        return;
      } finally {
        await nc.close();
      }
    } catch (error) {
      last = error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`The NATS cluster did not elect a JetStream leader within ${timeoutMs} ms: ${String(last)}`);
}
