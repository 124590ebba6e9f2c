// The checkpoint file of a copy: which copy it belongs to and how far it got, written by rename so
// a killed process leaves the old file or the new one, never half of one.
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { z } from "zod";
import { UsageError } from "../errors.js";
import type { Cursor } from "./source-order.js";

const FORMAT = 1;

const cursorSchema = z.union([
  z.object({ kind: z.literal("global"), position: z.string() }).strict(),
  z.object({ kind: z.literal("streams"), stream: z.string(), revision: z.string().regex(/^\d+$/) }).strict(),
]);

const identitySchema = z
  .object({
    from: z.string(),
    to: z.string(),
    prefixes: z.array(z.string()).nullable(),
    types: z.array(z.string()).nullable(),
    streams: z.array(z.string()).nullable(),
    renumber: z.boolean(),
  })
  .strict();

const checkpointSchema = z
  .object({
    format: z.literal(FORMAT),
    copy: identitySchema,
    cursor: cursorSchema.nullable(),
    copiedEvents: z.number().int().nonnegative(),
    complete: z.boolean(),
    updatedAt: z.string(),
  })
  .strict();

/** What makes two copies the same copy: the (redacted) URLs and every option that changes what is written. */
export type CopyIdentity = z.infer<typeof identitySchema>;
export type CheckpointState = z.infer<typeof checkpointSchema>;

export class CheckpointFile {
  readonly path: string;
  #state: CheckpointState;
  #savedAt = 0;

  private constructor(path: string, state: CheckpointState) {
    this.path = path;
    this.#state = state;
  }

  /** Reads the file if it exists (refusing one made for another copy), or starts a new state. */
  static open(path: string, identity: CopyIdentity): CheckpointFile {
    if (!existsSync(path)) {
      return new CheckpointFile(path, { format: FORMAT, copy: identity, cursor: null, copiedEvents: 0, complete: false, updatedAt: new Date().toISOString() });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, "utf8"));
    } catch (error) {
      throw new UsageError(`checkpoint file ${path} is not readable JSON (${(error as Error).message}): delete it to start over`);
    }
    const checked = checkpointSchema.safeParse(parsed);
    if (!checked.success) throw new UsageError(`checkpoint file ${path} is not a switchyard copy checkpoint: delete it to start over`);
    if (JSON.stringify(checked.data.copy) !== JSON.stringify(identity)) {
      throw new UsageError(
        `checkpoint file ${path} belongs to another copy (${checked.data.copy.from} → ${checked.data.copy.to} with other options): pass another --checkpoint, or delete it to start over`,
      );
    }
    return new CheckpointFile(path, checked.data);
  }

  get cursor(): Cursor | undefined {
    return this.#state.cursor ?? undefined;
  }

  get copiedEvents(): number {
    return this.#state.copiedEvents;
  }

  get complete(): boolean {
    return this.#state.complete;
  }

  /** Records progress; writes the file at most every `intervalMs` unless `force`. */
  advance(cursor: Cursor, copied: number, options: { force?: boolean; complete?: boolean; intervalMs?: number } = {}): void {
    this.#state = { ...this.#state, cursor, copiedEvents: this.#state.copiedEvents + copied, complete: options.complete ?? false, updatedAt: new Date().toISOString() };
    const now = Date.now();
    if (options.force === true || now - this.#savedAt >= (options.intervalMs ?? 200)) this.save();
  }

  save(): void {
    const temporary = `${this.path}.tmp-${process.pid}`;
    writeFileSync(temporary, `${JSON.stringify(this.#state, null, 2)}\n`);
    renameSync(temporary, this.path);
    this.#savedAt = Date.now();
  }
}
