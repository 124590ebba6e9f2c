// `switchyard append <stream>`: one event from options, or a batch from JSON Lines on stdin.
import { createInterface } from "node:readline";
import { z } from "zod";
import type { EventData, ExpectedRevision } from "../core/event.js";
import { bigintToJson } from "./event-json.js";
import { UsageError } from "./errors.js";
import { withStore } from "./store-url.js";

export interface AppendCommandOptions {
  readonly type?: string;
  readonly data?: unknown;
  readonly metadata?: unknown;
  readonly id?: string;
  readonly contentType?: string;
  readonly schemaVersion?: number;
  readonly expectedRevision?: ExpectedRevision;
  readonly json?: boolean;
}

/** One line of stdin: the shape `read --json` prints (extra fields such as revision are ignored). */
const eventLine = z
  .object({
    type: z.string().min(1),
    data: z.unknown().optional(),
    dataBase64: z.string().optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
    id: z.string().optional(),
    contentType: z.string().optional(),
    schemaVersion: z.number().int().positive().optional(),
  })
  .refine((line) => (line.data === undefined) !== (line.dataBase64 === undefined), { message: "give data or dataBase64, not both or neither" });

export async function append(url: string, stream: string, options: AppendCommandOptions): Promise<void> {
  const events = options.type !== undefined ? [fromOptions(options)] : await fromStdin();
  await withStore(url, async (store) => {
    const result = await store.append(stream, events, { expectedRevision: options.expectedRevision ?? "any" });
    const summary = { stream, events: events.length, nextExpectedRevision: bigintToJson(result.nextExpectedRevision), position: result.position?.toString() ?? null };
    if (options.json === true || process.stdout.isTTY !== true) console.log(JSON.stringify(summary));
    else console.log(`appended ${events.length} event(s) to ${stream}: now at revision ${result.nextExpectedRevision}${result.position ? `, position ${result.position.toString()}` : ""}`);
  });
}

function fromOptions(options: AppendCommandOptions): EventData {
  if (options.data === undefined) throw new UsageError("--type needs --data (JSON), or leave both out and give JSON Lines on stdin");
  if (options.metadata !== undefined && (typeof options.metadata !== "object" || options.metadata === null || Array.isArray(options.metadata))) {
    throw new UsageError("--metadata must be a JSON object");
  }
  return {
    type: options.type!,
    data: options.data,
    ...(options.metadata === undefined ? {} : { metadata: options.metadata as Record<string, unknown> }),
    ...(options.id === undefined ? {} : { id: options.id }),
    ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
    ...(options.schemaVersion === undefined ? {} : { schemaVersion: options.schemaVersion }),
  };
}

async function fromStdin(): Promise<EventData[]> {
  if (process.stdin.isTTY === true) throw new UsageError("give --type and --data, or pipe JSON Lines (one event per line) to stdin");
  const events: EventData[] = [];
  let lineNumber = 0;
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    lineNumber++;
    if (line.trim() === "") continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      throw new UsageError(`stdin line ${lineNumber} is not JSON: ${(error as Error).message}`);
    }
    const checked = eventLine.safeParse(parsed);
    if (!checked.success) {
      throw new UsageError(`stdin line ${lineNumber}: ${checked.error.issues.map((i) => `${i.path.join(".") || "(event)"}: ${i.message}`).join("; ")}`);
    }
    const { dataBase64, data, ...rest } = checked.data;
    events.push({ ...stripUndefined(rest), data: dataBase64 === undefined ? data : new Uint8Array(Buffer.from(dataBase64, "base64")) });
  }
  if (events.length === 0) throw new UsageError("stdin held no events (one JSON object per line)");
  return events;
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
