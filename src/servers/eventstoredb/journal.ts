// The EventStoreDB server's log on disk (--data-dir): every record of the transaction log, in
// order, as one JSON line. The store's indexes (streams, event ids, tombstones) are all derived
// from the log, so replaying it rebuilds the server's state.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { JsonLinesFile } from "../shared/json-lines.js";
import type { StoredEvent } from "./store.js";

interface RecordLine {
  readonly s: string;
  readonly r: string;
  readonly i: string;
  readonly t: string;
  readonly c: string;
  readonly d: string;
  readonly m: string;
  readonly at: string;
  readonly p: string;
}

export class Journal {
  readonly #file: JsonLinesFile;
  /** The records found on disk when the journal was opened, in log order. */
  readonly records: readonly StoredEvent[];

  constructor(directory: string) {
    mkdirSync(directory, { recursive: true });
    const { file, lines } = JsonLinesFile.open(join(directory, "esdb-log.jsonl"));
    this.#file = file;
    this.records = lines.map((line) => fromLine(line as RecordLine));
  }

  write(records: readonly StoredEvent[]): void {
    this.#file.append(records.map(toLine));
  }

  close(): void {
    this.#file.close();
  }
}

function toLine(event: StoredEvent): RecordLine {
  return {
    s: event.stream,
    r: event.revision.toString(),
    i: event.id,
    t: event.type,
    c: event.contentType,
    d: Buffer.from(event.data).toString("base64"),
    m: Buffer.from(event.customMetadata).toString("base64"),
    at: event.created.toString(),
    p: event.position.toString(),
  };
}

function fromLine(line: RecordLine): StoredEvent {
  return {
    stream: line.s,
    revision: BigInt(line.r),
    id: line.i,
    type: line.t,
    contentType: line.c,
    data: Buffer.from(line.d, "base64"),
    customMetadata: Buffer.from(line.m, "base64"),
    created: BigInt(line.at),
    position: BigInt(line.p),
  };
}
