import { ValidationError } from "../../core/errors.js";
import { Position } from "../../core/position.js";

export const POSTGRES_BACKEND = "postgres";

/** A position's parts: the store's epoch, the writing transaction's id (xid8), the row's sequence. */
export const POSITION_PARTS = 3;

/** A place in the global order: (transaction id, sequence), compared as a pair. */
export interface Cursor {
  readonly xid: bigint;
  readonly position: bigint;
}

export function toPosition(epoch: bigint, xid: bigint, position: bigint): Position {
  return new Position(POSTGRES_BACKEND, Object.freeze([epoch, xid, position]));
}

/**
 * The cursor of a position of this store. Core has checked the backend name and arity; the
 * epoch is a fact only the store knows: another store's (or a pre-restore) checkpoint is refused.
 */
export function cursorOf(position: Position, epoch: bigint): Cursor {
  const [positionEpoch, xid, sequence] = position.parts as [bigint, bigint, bigint];
  if (positionEpoch !== epoch) {
    throw new ValidationError(
      `Position "${position.toString()}" belongs to another PostgreSQL store (epoch ${positionEpoch}, this store's is ${epoch}): ` +
        "a checkpoint from another schema or database, or from before a dump and restore, cannot be resumed here",
      "position",
    );
  }
  return { xid, position: sequence };
}

/** The cursor just before `cursor`, so that a strict "after" comparison includes it. */
export function justBefore(cursor: Cursor): Cursor {
  return { xid: cursor.xid, position: cursor.position - 1n };
}

export function justAfter(cursor: Cursor): Cursor {
  return { xid: cursor.xid, position: cursor.position + 1n };
}

/** Below every stored row, and above every one (xid8 and bigint maxima). */
export const FIRST: Cursor = { xid: 0n, position: 0n };
export const LAST: Cursor = { xid: 18_446_744_073_709_551_615n, position: 9_223_372_036_854_775_807n };
