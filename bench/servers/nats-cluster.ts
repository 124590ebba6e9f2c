/**
 * Three nats-server nodes with JetStream on loopback (the test suite's cluster harness), for the
 * three-node NATS subjects. Announces the seed URL once a 3-replica stream can be placed (a
 * cluster that has just elected its JetStream leader refuses one for want of current peers);
 * stops the nodes when stdin closes.
 */
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { startNatsCluster } from "../../test/nats/cluster.js";
import { serveUntilStdinCloses } from "./serve.js";

const cluster = await startNatsCluster(3);
await untilReplicatedStreamsPlace(cluster.url, 20_000);
serveUntilStdinCloses({ url: cluster.url, pid: process.pid }, () => cluster.stop());

async function untilReplicatedStreamsPlace(url: string, timeoutMs: number): Promise<void> {
  const nc = await connect({ servers: url.replace(/^nats:\/\//, "").split(",") });
  const deadline = Date.now() + timeoutMs;
  try {
    const jsm = await jetstreamManager(nc);
    for (;;) {
      try {
        await jsm.streams.add({ name: "bench_probe", subjects: ["bench_probe.>"], num_replicas: 3 });
        await jsm.streams.delete("bench_probe");
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  } finally {
    await nc.close();
  }
}
