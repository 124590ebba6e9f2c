import type { RatioResult } from "./ratios.js";

/**
 * What is known about ratios that fall short, from profiles of this benchmark
 * (`npm run bench -- --profile DIR`). Printed under the tables only while the condition holds,
 * so a fixed cause disappears from the page by itself.
 */
interface Finding {
  readonly applies: (ratios: readonly RatioResult[]) => boolean;
  readonly text: string;
}

const below = (prefix: string, limit: number) => (ratios: readonly RatioResult[]) =>
  ratios.some((r) => r.key.startsWith(prefix) && r.median !== null && r.median < limit);
const measured = (key: string) => (ratios: readonly RatioResult[]) => ratios.some((r) => r.key === key && r.median !== null);

const FINDINGS: readonly Finding[] = [
  {
    applies: (ratios) => below("ensignVsRaw.append", 0.9)(ratios) || below("ensignVsRaw.concurrent", 0.9)(ratios),
    text:
      "**Ensign appends (ours vs raw).** In single-writer mode (what `ours-ensign` runs) an append publishes over " +
      "the same windowed stream as the raw client and numbers revisions from the acks, with no read-back (before " +
      "that change the ratios were 0.15–0.27). What remains, from profiles: 10–25% more client CPU, about 50–65 µs " +
      "per append (the expected-revision check, one promise per event ack, the reservation in the topic view) plus " +
      "~8 µs per event (the port's checks and the reserved metadata keys `switchyard.stream`/`switchyard.id`, ~30 " +
      "bytes more per event than the raw subject's). Concurrent-8 is the most sensitive, with 8 writers sharing one " +
      "publish stream; its per-round range straddles the target.",
  },
  {
    applies: measured("ensignVsRaw.read10k"),
    text:
      "**Ensign read-10k (ours vs raw).** Our adapter keeps an in-process view of each topic: the first read fills " +
      "it with one EnSQL scan and later reads are served from it, while the raw client runs one EnSQL query over " +
      "the topic per read. The ratio measures that view, not a faster wire path.",
  },
  {
    applies: below("esdbVsRaw.append", 0.95),
    text:
      "**EventStoreDB appends.** @eventstore/db-client 6.2.1 sends data for `application/json` only when given a " +
      "JavaScript value (it stringifies it itself), so the adapter parses the JSON our codec already encoded and the " +
      "client encodes it again: about 0.8 µs per event more client CPU than a raw `jsonEvent` user (see " +
      "docs/eventstoredb.md; the only way round it is building the gRPC messages ourselves). Reads now cost less " +
      "client CPU than the raw client's own iteration. On the emulator these ratios vary by ±20% between rounds " +
      "(see the ranges); a 5-round check with `--pin` (client on cpu 0, emulator on cpu 1) gave 0.91 on " +
      "append-batch-100 and 1.04 on read-10k.",
  },
  {
    applies: below("memVsEmmettByWorkload.read", 1),
    text:
      "**Memory reads and folds (ours vs Emmett).** Emmett's in-memory store hands back the objects it stored; our " +
      "memory adapter round-trips every event through its codec by design (DESIGN.md §2: a `Date` comes back as a " +
      "real backend returns it), so each event read is a JSON.parse of stored bytes plus a Position and a Date. " +
      "After removing the avoidable work (codec looked up by exact content type first, no deep clone of empty " +
      "metadata, the visible range computed once per read) a read costs ~1.7–2.5 µs per event in a " +
      "micro-benchmark (was ~3.0). The command-handler fold (fold-100) spends most of its time in the same path.",
  },
];

export function findingsFor(ratios: readonly RatioResult[]): string[] {
  return FINDINGS.filter((f) => f.applies(ratios)).map((f) => f.text);
}
