import { ValidationError } from "./errors.js";

/**
 * A place in a backend's global order: opaque to callers, ordered, and serialisable, so a
 * checkpoint saved on one run resumes on the next. The string form is `backend:part/part/...`
 * with each part a non-negative integer (memory: one global sequence; EventStoreDB: commit and
 * prepare positions; Ensign: a topic offset).
 */
/** Backend names already checked, so hot paths skip the name pattern. */
const KNOWN_BACKENDS = new Set<string>();
/** Set only while `trustedPosition` constructs: the checks below are skipped for parts a driver made itself. */
let trusted = false;

/** A place in a store's global order: opaque, ordered, and serialisable as a checkpoint. */
export class Position {
  readonly backend: string;
  readonly parts: readonly bigint[];

  constructor(backend: string, parts: readonly bigint[]) {
    if (trusted) {
      this.backend = backend;
      this.parts = parts;
      return;
    }
    if (!KNOWN_BACKENDS.has(backend)) {
      if (!/^[a-z][a-z0-9-]*$/.test(backend)) {
        throw new ValidationError(`Position backend must be a lower-case name, got "${backend}"`, "position");
      }
      KNOWN_BACKENDS.add(backend);
    }
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      if (typeof part !== "bigint" || part < 0n) {
        throw new ValidationError("Position parts must be non-negative bigints", "position");
      }
    }
    if (parts.length === 0) throw new ValidationError("A position has at least one part", "position");
    // Positions are made per event on hot paths: a frozen array is shared, anything else copied.
    this.backend = backend;
    this.parts = Object.isFrozen(parts) ? parts : Object.freeze(parts.slice());
  }

  /** Parses `toString()` output; with `backend`, also checks that the position belongs to it. */
  static parse(text: string, backend?: string): Position {
    if (typeof text !== "string") {
      throw new ValidationError(`A position must be a string like "memory:42", got ${typeof text}`, "position");
    }
    const match = /^([a-z][a-z0-9-]*):(\d+(?:\/\d+)*)$/.exec(text);
    if (!match) {
      throw new ValidationError(`Malformed position "${text}": expected "<backend>:<n>[/<n>...]"`, "position");
    }
    const position = new Position(match[1]!, match[2]!.split("/").map((p) => BigInt(p)));
    if (backend !== undefined) position.assertBackend(backend);
    return position;
  }

  /** Accepts a Position or its string form and checks it belongs to `backend` with `arity` parts. */
  static from(value: Position | string, backend: string, arity?: number): Position {
    const position: unknown = typeof value === "string" ? Position.parse(value) : value;
    let normalised: Position;
    if (position instanceof Position) normalised = position;
    else if (isPositionLike(position)) normalised = new Position(position.backend, position.parts);
    else throw new ValidationError("Expected a Position or its string form", "position");
    normalised.assertBackend(backend);
    if (arity !== undefined && normalised.parts.length !== arity) {
      throw new ValidationError(
        `Position "${normalised.toString()}" has ${normalised.parts.length} part(s); ${backend} positions have ${arity}`,
        "position",
      );
    }
    return normalised;
  }

  assertBackend(backend: string): void {
    if (this.backend !== backend) {
      throw new ValidationError(
        `Position "${this.toString()}" belongs to the ${this.backend} backend, not ${backend}`,
        "position",
      );
    }
  }

  /** Negative, zero or positive, comparing part by part. Positions of different backends throw. */
  compareTo(other: Position): number {
    other.assertBackend(this.backend);
    const n = Math.max(this.parts.length, other.parts.length);
    for (let i = 0; i < n; i++) {
      const a = this.parts[i] ?? 0n;
      const b = other.parts[i] ?? 0n;
      if (a !== b) return a < b ? -1 : 1;
    }
    return 0;
  }

  equals(other: Position): boolean {
    return this.backend === other.backend && this.compareTo(other) === 0;
  }

  toString(): string {
    return `${this.backend}:${this.parts.join("/")}`;
  }

  toJSON(): string {
    return this.toString();
  }
}

/**
 * A position from parts a driver built itself (non-negative bigints, at least one, in a frozen
 * array, for a backend name that is valid): made per event on read paths, so the constructor's
 * checks and copy are skipped. Not exported from the package.
 */
export function trustedPosition(backend: string, parts: readonly bigint[]): Position {
  trusted = true;
  // The constructor cannot throw on this path, so the flag is always reset.
  const position = new Position(backend, parts);
  trusted = false;
  return position;
}

function isPositionLike(value: unknown): value is { backend: string; parts: readonly bigint[] } {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { backend?: unknown }).backend === "string" &&
    Array.isArray((value as { parts?: unknown }).parts)
  );
}
