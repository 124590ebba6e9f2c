import { ValidationError } from "../../core/errors.js";
import { Position } from "../../core/position.js";

/**
 * Positions of a SQLite store carry the store's id (a random number fixed when the store is created)
 * before the event's sequence number: `<backend>:<storeId>/<n>`. A checkpoint saved against one
 * database is then refused by another, instead of silently skipping or replaying its events.
 */
export class StorePositions {
  constructor(
    readonly backend: string,
    readonly storeId: bigint,
  ) {}

  /** Two parts: the store id, then the sequence number. */
  static readonly parts = 2;

  of(sequence: number | bigint): Position {
    // Frozen, so Position keeps the array instead of copying it (one position per event read).
    return new Position(this.backend, Object.freeze([this.storeId, BigInt(sequence)]));
  }

  /** The sequence number of a position of this backend (already checked by the runtime), refusing one of another store. */
  sequenceOf(position: Position, field = "position"): bigint {
    const [storeId, sequence] = position.parts;
    if (storeId !== this.storeId) {
      throw new ValidationError(
        `Position "${position.toString()}" belongs to another ${this.backend} store (id ${String(storeId)}); ` +
          `this store's id is ${this.storeId}: a checkpoint cannot move between databases`,
        field,
      );
    }
    return sequence!;
  }
}
