/** A writer the fault test kills: appends one event at a time and prints each acknowledged revision. */
import { createPostgresEventStream } from "../../src/adapters/postgres/index.js";

const [url, stream] = process.argv.slice(2) as [string, string];
const store = createPostgresEventStream({ connection: url });
for (let n = 0; ; n++) {
  const result = await store.append(stream, [{ type: "written", data: { n } }]);
  process.stdout.write(`${result.nextExpectedRevision}\n`);
}
