import type { Family, ServerInfo, Servers, SubjectName } from "../types.js";
import type { Subject } from "./subject.js";

export const FAMILY: Record<SubjectName, Family> = {
  floor: "memory",
  "json-floor": "memory",
  "emmett-mem": "memory",
  "ours-mem": "memory",
  "esdb-raw": "esdb",
  "ours-esdb": "esdb",
  "ensign-raw": "ensign",
  "ours-ensign": "ensign",
  "ours-ensign-default": "ensign",
  "sqlite-raw": "sqlite",
  "emmett-sqlite": "sqlite",
  "ours-sqlite": "sqlite",
  "pg-raw": "postgres",
  "emmett-pg": "postgres",
  "ours-pg": "postgres",
  "nats-raw": "nats",
  "ours-nats": "nats",
  "nats3-raw": "nats3",
  "ours-nats3": "nats3",
};

/** Loads only the subject asked for, so a memory child never loads gRPC. */
export async function createSubject(name: SubjectName, servers: Servers): Promise<Subject> {
  switch (name) {
    case "floor":
      return (await import("./floor.js")).createFloor();
    case "json-floor":
      return (await import("./json-floor.js")).createJsonFloor();
    case "emmett-mem":
      return (await import("./emmett-mem.js")).createEmmettMemory();
    case "ours-mem":
      return (await import("./ours-mem.js")).createOursMemory();
    case "esdb-raw":
      return (await import("./esdb-raw.js")).createEsdbRaw(required(servers.esdb, name));
    case "ours-esdb":
      return (await import("./ours-esdb.js")).createOursEsdb(required(servers.esdb, name));
    case "ensign-raw":
      return (await import("./ensign-raw.js")).createEnsignRaw(required(servers.ensign, name));
    case "ours-ensign":
      return (await import("./ours-ensign.js")).createOursEnsign(required(servers.ensign, name), "single-writer");
    case "ours-ensign-default":
      return (await import("./ours-ensign.js")).createOursEnsign(required(servers.ensign, name), "default");
    case "sqlite-raw":
      return (await import("./sqlite-raw.js")).createSqliteRaw();
    case "emmett-sqlite":
      return (await import("./emmett-sqlite.js")).createEmmettSqlite();
    case "ours-sqlite":
      return (await import("./ours-sqlite.js")).createOursSqlite();
    case "pg-raw":
      return (await import("./pg-raw.js")).createPgRaw();
    case "emmett-pg":
      return (await import("./emmett-pg.js")).createEmmettPostgres();
    case "ours-pg":
      return (await import("./ours-pg.js")).createOursPostgres();
    case "nats-raw":
      return (await import("./nats-raw.js")).createNatsRaw(name, natsServer(servers), 1);
    case "ours-nats":
      return (await import("./ours-nats.js")).createOursNats(name, natsServer(servers), 1);
    case "nats3-raw":
      return (await import("./nats-raw.js")).createNatsRaw(name, required(servers.nats3, name), 3);
    case "ours-nats3":
      return (await import("./ours-nats.js")).createOursNats(name, required(servers.nats3, name), 3);
  }
}

/** The machine's JetStream server, as the tests use it (override with NATS_URL). */
function natsServer(servers: Servers): ServerInfo {
  return servers.nats ?? { url: process.env.NATS_URL ?? "nats://127.0.0.1:4222", pid: 0 };
}

function required<T>(server: T | undefined, subject: SubjectName): T {
  if (server === undefined) throw new Error(`${subject} needs its server, which was not started`);
  return server;
}
