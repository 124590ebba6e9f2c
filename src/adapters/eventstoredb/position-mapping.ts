import type { Position as ClientPosition } from "@eventstore/db-client";
import { Position } from "../../core/position.js";

/** Our backend name for EventStoreDB positions: "esdb:<commit>/<prepare>". */
export const ESDB_BACKEND = "esdb";

export function toPosition(position: ClientPosition): Position {
  return new Position(ESDB_BACKEND, [position.commit, position.prepare]);
}

/** An EventStoreDB position (core has checked its backend and its two parts) in the client's shape. */
export function toClientPosition(position: Position): ClientPosition {
  return { commit: position.parts[0]!, prepare: position.parts[1]! };
}
