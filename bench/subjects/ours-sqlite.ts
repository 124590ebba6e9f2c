import { createSqliteEventStream } from "../../src/adapters/sqlite/index.js";
import { portSubject } from "./port-subject.js";
import { BENCH_SYNCHRONOUS, benchDatabaseFile } from "./sqlite-file.js";
import type { Subject } from "./subject.js";

/** Our SQLite adapter, through the port, on a new file with synchronous=NORMAL. */
export async function createOursSqlite(): Promise<Subject> {
  const file = benchDatabaseFile("ours");
  const subject = portSubject("ours-sqlite", "sqlite", await createSqliteEventStream({ path: file.path, synchronous: BENCH_SYNCHRONOUS }));
  return {
    ...subject,
    notes: [...(subject.notes ?? []), `synchronous=${BENCH_SYNCHRONOUS}, WAL`],
    async close() {
      await subject.close();
      file.remove();
    },
  };
}
