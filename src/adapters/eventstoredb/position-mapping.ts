import type { Position as ClientPosition } from "@eventstore/db-client";
import { Position } from "../../core/position.js";

/** Our backend name for EventStoreDB positions: "esdb:<commit>/<prepare>". */
export const ESDB_BACKEND = "esdb";

export function toPosition(position: ClientPosition): Position {
  return new Position(ESDB_BACKEND, [position.commit, position.prepare]);
}

/** Accepts a Position or its string form; refuses another backend's or a malformed one. */
export function toClientPosition(value: Position | string): ClientPosition {
  const position = Position.from(value, ESDB_BACKEND, 2);
  return { commit: position.parts[0]!, prepare: position.parts[1]! };
}
