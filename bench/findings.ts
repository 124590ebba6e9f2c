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
    applies: below("ensignVsRaw.append", 0.9),
    text:
      "**Ensign appends (ours vs raw).** Every append of the adapter publishes its events and then waits until an " +
      "EnSQL query (`SELECT * FROM topic OFFSET n`) returns them, to number their revisions " +
      "(`#awaitReadable` → `TopicLog.refresh` in src/adapters/ensign). Each event thus crosses the wire twice and " +
      "each append pays a second round trip: client CPU per event is 3–6× the raw client's and the server's 6–7× " +
      "(see the CPU columns). A raw publisher only awaits acks. Closing the gap needs a design change in the " +
      "adapter, e.g. numbering from the acks while the local view is current (single-writer) or coalescing the " +
      "read-back of concurrent appends into one query.",
  },
  {
    applies: measured("ensignVsRaw.read10k"),
    text:
      "**Ensign read-10k (ours vs raw).** Our adapter serves reads from its in-process topic log, which the " +
      "appends of the set-up already filled; the raw client runs one EnSQL query over the topic per read. The " +
      "ratio measures that cache, not a faster wire path.",
  },
  {
    applies: measured("esdbVsRaw.read10k"),
    text:
      "**EventStoreDB ratios depend on spare CPU.** Unpinned (this page) our adapter's extra client work overlaps " +
      "with the server's on the other core. A separate 3-round check with `--pin` (client on cpu 0, emulator on " +
      "cpu 1) gave esdbVsRaw 0.83 on append-batch-100 and 0.73 on read-10k, with client CPU per event 27.1 vs 23.8 µs " +
      "and 32.0 vs 27.8 µs: the adapter adds ~3–4 µs (~15%) per event. Appends encode JSON twice and parse it once " +
      "(our codec stringifies and TextEncodes, `toClientEvent` decodes and parses it back, the client stringifies " +
      "again); reads pass every event through two extra async generators (`drain`, `#read`) and look the codec up " +
      "per event.",
  },
  {
    applies: below("memVsEmmettByWorkload.read", 1),
    text:
      "**Memory reads and folds (ours vs Emmett).** Emmett's in-memory store hands back the objects it stored; our " +
      "memory adapter round-trips every event through its codec by design (DESIGN.md §2), and per event also " +
      "clones the metadata (`structuredClone`, ~0.5 µs even for `{}`), looks the codec up by content type " +
      "(~0.3 µs of the ~0.8 µs decode), allocates a Position and a Date and recomputes the visible range " +
      "(`isVisible`). Measured: ~2.4–2.9 µs CPU per event read against Emmett's ~0.15. The command-handler " +
      "fold (fold-100) spends most of its time in the same read path (and ~30% in GC).",
  },
];

export function findingsFor(ratios: readonly RatioResult[]): string[] {
  return FINDINGS.filter((f) => f.applies(ratios)).map((f) => f.text);
}
