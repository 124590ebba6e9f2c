// Append-only JSON-lines files for the servers' --data-dir: each write is one fsync'd append, so an
// acknowledged write is on disk, and a line torn by a crash mid-write is dropped when read back.
import { closeSync, existsSync, fdatasyncSync, ftruncateSync, openSync, readFileSync, writeSync } from "node:fs";

export class JsonLinesFile {
  readonly #fd: number;

  /** Opens (creating) `path` for appending and returns the lines already in it, parsed. */
  static open(path: string): { file: JsonLinesFile; lines: unknown[] } {
    const lines: unknown[] = [];
    let validBytes = 0;
    if (existsSync(path)) {
      const text = readFileSync(path, "utf8");
      let start = 0;
      for (let end = text.indexOf("\n"); end >= 0; end = text.indexOf("\n", start)) {
        const line = text.slice(start, end);
        try {
          lines.push(JSON.parse(line));
        } catch {
          break; // a torn write: this line and anything after it never completed
        }
        start = end + 1;
        validBytes += Buffer.byteLength(line, "utf8") + 1;
      }
    }
    const fd = openSync(path, "a+");
    ftruncateSync(fd, validBytes);
    return { file: new JsonLinesFile(fd), lines };
  }

  private constructor(fd: number) {
    this.#fd = fd;
  }

  append(values: readonly unknown[]): void {
    if (values.length === 0) return;
    writeSync(this.#fd, values.map((value) => `${JSON.stringify(value)}\n`).join(""));
    fdatasyncSync(this.#fd);
  }

  close(): void {
    closeSync(this.#fd);
  }
}
