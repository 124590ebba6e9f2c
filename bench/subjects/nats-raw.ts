import { randomBytes, randomUUID } from "node:crypto";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, headers } from "@nats-io/transport-node";
import type { BenchEvent, ServerInfo, SubjectName } from "../types.js";
import type { Subject } from "./subject.js";

const utf8 = new TextEncoder();

/**
 * A cluster that has just elected its JetStream leader may not have every peer current yet and
 * refuses a 3-replica stream with "no suitable peers for placement": asked again, as an operator
 * would, for up to 15 s.
 */
async function addStream(add: () => Promise<unknown>): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      await add();
      return;
    } catch (error) {
      if (!/no suitable peers/i.test(String(error)) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/**
 * The floor of event sourcing on JetStream with @nats-io/jetstream directly: one subject per event
 * stream, one message per event with a msgID (de-duplication) and its revision and type in
 * headers, each published with the subject's last sequence as its expectation (the sequence of
 * this writer's previous acknowledgement), as a user who wants optimistic concurrency would. No
 * encoding of stream names, no reads, no idempotency beyond the duplicate window.
 */
export async function createNatsRaw(name: SubjectName, server: ServerInfo, replicas: number): Promise<Subject> {
  const stream = `bench_raw_${randomBytes(4).toString("hex")}`;
  const nc = await connect({ servers: server.url.replace(/^nats:\/\//, "").split(",") });
  const jsm = await jetstreamManager(nc);
  await addStream(() => jsm.streams.add({ name: stream, subjects: [`${stream}.>`], num_replicas: replicas }));
  const js = jetstream(nc);
  const tails = new Map<string, { seq: number; revision: number }>();

  return {
    name,
    family: replicas > 1 ? "nats3" : "nats",
    // Its expectation is its own last acknowledgement, not a revision a caller gives.
    expectedRevision: false,
    notes: [`@nats-io/jetstream publish per event with msgID and expect.lastSubjectSequence, ${replicas} replica(s)`],
    async append(streamName, events: readonly BenchEvent[]) {
      const subject = `${stream}.${streamName}`;
      const tail = tails.get(subject) ?? { seq: 0, revision: -1 };
      for (const event of events) {
        const h = headers();
        h.set("Revision", String(tail.revision + 1));
        h.set("Type", event.type);
        const ack = await js.publish(subject, utf8.encode(JSON.stringify(event.data)), {
          msgID: randomUUID(),
          headers: h,
          expect: { lastSubjectSequence: tail.seq },
        });
        tail.seq = ack.seq;
        tail.revision++;
      }
      tails.set(subject, tail);
      return BigInt(tail.revision);
    },
    conflictRevision: () => undefined,
    async read() {
      throw new Error("nats-raw runs the append workloads only");
    },
    async handle() {
      throw new Error("nats-raw runs the append workloads only");
    },
    async close() {
      await jsm.streams.delete(stream);
      await nc.close();
    },
  };
}
