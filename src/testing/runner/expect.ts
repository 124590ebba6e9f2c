/**
 * The matchers the conformance suite asserts with: a subset of jest's and vitest's `expect`, so
 * either can be handed in as it is. A runner without one (node:test) gets `assertExpect`.
 */
export interface Matchers {
  /** `Object.is` equality. */
  toBe(expected: unknown): void;
  /** Deep equality. */
  toEqual(expected: unknown): void;
  toStrictEqual(expected: unknown): void;
  /** Every property of `expected` is deeply equal in `actual`, which may have more. */
  toMatchObject(expected: object): void;
  toBeInstanceOf(expected: abstract new (...args: never[]) => unknown): void;
  toBeDefined(): void;
  toBeUndefined(): void;
  toBeNull(): void;
  toBeTruthy(): void;
  toBeFalsy(): void;
  toBeGreaterThan(expected: number | bigint): void;
  toBeGreaterThanOrEqual(expected: number | bigint): void;
  toBeLessThan(expected: number | bigint): void;
  toBeLessThanOrEqual(expected: number | bigint): void;
  /** An array holding the item (`===`), or a string holding the substring. */
  toContain(expected: unknown): void;
  toHaveLength(expected: number): void;
  toMatch(expected: string | RegExp): void;
}

export interface Assertion extends Matchers {
  readonly not: Matchers;
}

/** An `expect` function: what the conformance suite asserts through. */
export type Expect = (actual: unknown) => Assertion;
