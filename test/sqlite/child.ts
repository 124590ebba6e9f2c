/**
 * A second process on the same database file, driven by the multi-process and crash tests:
 *   subscribe <file>           prints each $all event as a JSON line, after a "ready" line
 *   race <file> <rounds>       per round, waits for "go" on stdin, then appends with expectedRevision "no_stream"
 *   append-forever <file>      appends 10-event batches, printing each acknowledged batch number
 *   consume <file> <stream>    joins group "workers" on the stream, acks and prints each event's data
 */
import { createInterface } from "node:readline";
import { createSqliteEventStream } from "../../src/adapters/sqlite/index.js";
import { isWrongExpectedRevisionError } from "../../src/core/errors.js";

const [command, file, arg] = process.argv.slice(2);
const store = await createSqliteEventStream({ path: file!, pollIntervalMs: 20 });
const print = (value: unknown) => process.stdout.write(JSON.stringify(value) + "\n");

if (command === "subscribe") {
  const subscription = store.subscribe("$all", { from: "end" });
  // caughtUp resolves while the subscription is iterated.
  void subscription.caughtUp.then(() => print("ready"));
  for await (const event of subscription) print({ stream: event.streamId, data: event.data, at: Date.now() });
} else if (command === "race") {
  const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  print("ready");
  for (let round = 0; round < Number(arg); round++) {
    await lines.next();
    try {
      await store.append(`race-${round}`, [{ type: "won", data: { pid: process.pid } }], { expectedRevision: "no_stream" });
      print({ round, won: true });
    } catch (error) {
      if (!isWrongExpectedRevisionError(error)) throw error;
      print({ round, won: false });
    }
  }
  await store.close();
} else if (command === "consume") {
  const consumer = store.persistentSubscriptions.connect({ stream: arg! }, "workers", { bufferSize: 5 });
  print("ready");
  for await (const delivery of consumer) {
    print(delivery.event.data);
    await delivery.ack();
  }
} else if (command === "append-forever") {
  for (let batch = 0; ; batch++) {
    await store.append(`crash-${batch % 7}`, Array.from({ length: 10 }, (_, i) => ({ type: "e", data: { batch, i } })));
    print(batch);
  }
}
