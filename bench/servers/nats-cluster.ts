/**
 * Three nats-server nodes with JetStream on loopback (the test suite's cluster harness), for the
 * three-node NATS subjects. Announces the seed URL; stops the nodes when stdin closes.
 */
import { startNatsCluster } from "../../test/nats/cluster.js";
import { serveUntilStdinCloses } from "./serve.js";

const cluster = await startNatsCluster(3);
serveUntilStdinCloses({ url: cluster.url, pid: process.pid }, () => cluster.stop());
