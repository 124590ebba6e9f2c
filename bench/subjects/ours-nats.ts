import { randomBytes } from "node:crypto";
import { createNatsEventStream } from "../../src/adapters/nats/index.js";
import type { ServerInfo, SubjectName } from "../types.js";
import { portSubject } from "./port-subject.js";
import type { Subject } from "./subject.js";

/** Our NATS JetStream adapter, through the port, on a new JetStream stream (deleted when the cell closes). */
export async function createOursNats(name: SubjectName, server: ServerInfo, replicas: number): Promise<Subject> {
  const stream = `bench_ours_${randomBytes(4).toString("hex")}`;
  const store = createNatsEventStream({ connection: `${server.url}?stream=${stream}&replicas=${replicas}` });
  const subject = portSubject(name, replicas > 1 ? "nats3" : "nats", store);
  return {
    ...subject,
    notes: [...(subject.notes ?? []), `JetStream stream with ${replicas} replica(s), one message per event`],
    async close() {
      await store.deleteStream();
      await subject.close();
    },
  };
}
