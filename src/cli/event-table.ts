// Events for a person at a terminal: a table (cli-table3) for `read`, one aligned line per event for `tail`.
import Table from "cli-table3";
import type { RecordedEvent } from "../core/event.js";
import { dataPreview } from "./event-json.js";

const DATA_WIDTH = 60;

/** A table of events with the columns a person scans for: where, what, when, and the data. */
export function eventTable(events: readonly RecordedEvent[], withStream: boolean): string {
  const head = [...(withStream ? ["stream"] : []), "rev", "position", "type", "id", "created", "data"];
  // No rule between rows: a stream reads as a list, not a grid.
  const table = new Table({ head, style: { head: [], border: [] }, wordWrap: false, chars: { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" } });
  for (const event of events) {
    table.push([
      ...(withStream ? [event.streamId] : []),
      event.revision.toString(),
      event.position.toString(),
      schemaLabel(event),
      event.id,
      event.createdAt.toISOString(),
      dataPreview(event, DATA_WIDTH),
    ]);
  }
  return table.toString();
}

/** One line per event for a live feed, where a table cannot be drawn ahead of time. */
export function eventLine(event: RecordedEvent): string {
  return [event.createdAt.toISOString(), `${event.streamId}@${event.revision}`, schemaLabel(event), event.id, dataPreview(event, DATA_WIDTH)].join("  ");
}

function schemaLabel(event: RecordedEvent): string {
  return event.schemaVersion === 1 ? event.type : `${event.type} v${event.schemaVersion}`;
}
