import { createPostgresEventStream } from "../../src/adapters/postgres/index.js";
import { portSubject } from "./port-subject.js";
import { BENCH_PG_POOL, BENCH_PG_URL, benchSchema } from "./postgres-server.js";
import type { Subject } from "./subject.js";

/** Our PostgreSQL adapter, through the port, in a new schema. */
export async function createOursPostgres(): Promise<Subject> {
  const schema = benchSchema("ours");
  const store = createPostgresEventStream({ connection: `${BENCH_PG_URL}?schema=${schema.name}&poolMax=${BENCH_PG_POOL}` });
  const subject = portSubject("ours-pg", "postgres", store);
  return {
    ...subject,
    notes: [...(subject.notes ?? []), `pool of ${BENCH_PG_POOL}; one round trip per append (a SQL function)`],
    async close() {
      await subject.close();
      await schema.drop();
    },
  };
}
