import { Position } from "../../core/position.js";

export const NATS_BACKEND = "nats";
/** A position is the event's JetStream stream sequence: one global order, commit order. */
export const POSITION_PARTS = 1;

export function toPosition(seq: number): Position {
  return new Position(NATS_BACKEND, Object.freeze([BigInt(seq)]));
}

export function seqOf(position: Position): number {
  return Number(position.parts[0]!);
}
