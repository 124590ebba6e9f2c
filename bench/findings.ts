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
    applies: (ratios) => below("memVsEmmett.read", 1)(ratios) || below("memVsEmmett.fold", 1)(ratios) || below("memVsEmmettByWorkload.read", 1)(ratios),
    text:
      "**Memory reads and folds (ours vs Emmett).** Emmett's in-memory store hands back the very objects it " +
      "stored; ours hands out a copy decoded as stored (DESIGN.md §2: what a test reads is what production " +
      "would return), so each event read is a JSON.parse plus a new envelope, and Emmett stays ahead on reads. " +
      "The like-for-like comparison is `memVsJsonFloor`: a 20-line store that keeps the same contract.",
  },
  {
    applies: below("ensignDefaultVsRaw", 0.5),
    text:
      "**Ensign in its default consistency mode.** Without single-writer, an append learns its event's revision " +
      "by reading the topic back after the ack: one EnSQL call (shared by appends that are in flight together) " +
      "on top of the publish. The publish is a message on a bidi stream that stays open; the EnSQL call opens " +
      "a new gRPC stream with its token checked by the server, which in a profile costs several times a " +
      "publish round trip, so single appends reach a fraction of the raw client while batches of 100 amortise " +
      "it. Weakening the mode (trusting acks for numbering) would break its guarantee with other writers; the " +
      "remedy that keeps it is learning the topic order from one Subscribe stream held open per topic, not " +
      "built yet.",
  },
  {
    applies: below("nats3VsRaw.concurrent", 0.8),
    text:
      "**NATS, three nodes, concurrent writers.** nats-server before 2.9.21 mishandles " +
      "Nats-Expected-Last-Subject-Sequence on replicated streams (nats-server #4320: on 2.9.10 here, 50 of 50 " +
      "rounds of racing publishes at one expectation stored more than one). The adapter adds the stream-wide " +
      "expectation on such servers, which is correct but makes writers of different event streams conflict " +
      "and retry each other; the raw publisher, which keeps only the per-subject expectation, is not safe there. " +
      "On 2.9.21 and later the adapter keeps the per-subject expectation alone (docs/nats.md).",
  },
  {
    applies: (ratios) => below("pgVsRaw", 0.8)(ratios) || below("pgVsEmmettPg", 1.5)(ratios),
    text:
      "**PostgreSQL (ours vs raw node-postgres and Emmett).** Both sides commit with synchronous_commit=on, so " +
      "single appends are bound by the commit's WAL flush (p50 ~0.8 ms raw, ~1.4 ms ours). Ours does more inside " +
      "its one round trip: the stream row locked and updated, the transaction id (xid8) stored for the global " +
      "order no subscriber can skip, and a NOTIFY for live subscribers. NOTIFY takes PostgreSQL's global " +
      "notification lock at commit, so the commits of concurrent writers queue one behind another: that is " +
      "concurrent-8 (the raw floor has no global-order guarantee and no wake-up). Reads: ours pages a stream in " +
      "500-row queries (20 round trips for 10k events; a profile shows the client idle a third of the time), " +
      "with created_at parsed into a Date per event, where the raw floor takes the stream in one query. " +
      "Emmett's store also writes a stream row and a global position per append, so it pays most of the same; " +
      "ours leads it on appends and trails it on reads.",
  },
  {
    applies: below("memVsJsonFloor.fold", 0.67),
    text:
      "**Memory, command handler (ours vs the JSON floor).** A fold reads like read-10k (each event read gets a " +
      "bigint revision, a Date and a fresh metadata object, which the floor's envelope has not; its Position is " +
      "made once, at append) and the " +
      "handler then decodes each event into a domain event (two small objects per event) and writes its command " +
      "id and causation into the new event's metadata; the floor folds its raw envelopes and appends without " +
      "metadata. The per-round range straddles the target.",
  },
];

export function findingsFor(ratios: readonly RatioResult[]): string[] {
  return FINDINGS.filter((f) => f.applies(ratios)).map((f) => f.text);
}
