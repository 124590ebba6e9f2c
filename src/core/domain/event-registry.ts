import type { z } from "zod";
import { ValidationError } from "../errors.js";
import type { EventData, EventMetadata, RecordedEvent } from "../event.js";
import type { DomainEvent } from "./decider.js";

/** Type name → data type of its newest version. */
export type EventDataMap = Record<string, unknown>;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The discriminated union of every event a registry knows, in its newest shape. */
export type EventUnion<TMap extends EventDataMap> = {
  [K in keyof TMap & string]: DomainEvent<K, TMap[K]>;
}[keyof TMap & string];

/** The events of a registry: `EventsOf<typeof registry>`. */
export type EventsOf<R> = R extends EventRegistry<infer TMap> ? EventUnion<TMap> : never;


interface VersionEntry {
  readonly version: number;
  readonly schema: z.ZodType;
  /** Lifts data of the previous version into this one; absent for the first version. */
  readonly upcast: ((previous: unknown) => unknown) | undefined;
}

/** A stored event that passed validation (and upcasting), or the reason it did not. */
export type DecodeResult<TEvent> =
  | { readonly ok: true; readonly event: TEvent }
  | { readonly ok: false; readonly error: ValidationError };

/**
 * Event types with a zod schema per version. Data is validated against the newest schema on
 * append; on read, a stored event is validated against the schema of the version it was written
 * with and lifted by the upcasters, one version at a time, to the newest shape.
 *
 * Registries are immutable builders: each `register`/`upgrade` returns a new registry whose type
 * knows one more event, so `EventsOf<typeof registry>` is a discriminated union.
 *
 * @example
 * const events = new EventRegistry()
 *   .register("Deposited", z.object({ amount: z.number() }))
 *   .upgrade("Deposited", z.object({ amount: z.number(), currency: z.string() }), (v1) => ({ ...v1, currency: "EUR" }));
 * type Events = EventsOf<typeof events>; // { type: "Deposited"; data: { amount: number; currency: string } }
 */
export class EventRegistry<TMap extends EventDataMap = Record<never, never>> {
  readonly #types: ReadonlyMap<string, readonly VersionEntry[]>;

  constructor(types: ReadonlyMap<string, readonly VersionEntry[]> = new Map()) {
    this.#types = types;
  }

  /** Adds a type at schema version 1. */
  register<TType extends string, TSchema extends z.ZodType>(
    type: TType extends keyof TMap ? never : TType,
    schema: TSchema,
  ): EventRegistry<Simplify<TMap & { [K in TType]: z.output<TSchema> }>> {
    assertTypeName(type);
    if (this.#types.has(type)) {
      throw new ValidationError(`Event type "${type}" is already registered; use upgrade() to add a version`, "type");
    }
    const types = new Map(this.#types);
    types.set(type, [{ version: 1, schema, upcast: undefined }]);
    return new EventRegistry(types);
  }

  /**
   * Adds the next version of a registered type, with the upcaster that lifts data of the
   * previous version into it. Handlers then see only the new shape.
   */
  upgrade<TType extends keyof TMap & string, TSchema extends z.ZodType>(
    type: TType,
    schema: TSchema,
    upcast: (previous: TMap[TType]) => z.input<TSchema>,
  ): EventRegistry<Simplify<Omit<TMap, TType> & { [K in TType]: z.output<TSchema> }>> {
    const versions = this.#types.get(type);
    if (!versions) throw new ValidationError(`Event type "${type}" is not registered; register() it first`, "type");
    if (typeof upcast !== "function") throw new ValidationError("upgrade() needs an upcaster function", "upcast");
    const types = new Map(this.#types);
    const version = versions[versions.length - 1]!.version + 1;
    types.set(type, [...versions, { version, schema, upcast: upcast as (previous: unknown) => unknown }]);
    return new EventRegistry(types) as unknown as EventRegistry<
      Simplify<Omit<TMap, TType> & { [K in TType]: z.output<TSchema> }>
    >;
  }

  has(type: string): type is keyof TMap & string {
    return this.#types.has(type);
  }

  /** Registered type names. */
  get types(): readonly (keyof TMap & string)[] {
    return [...this.#types.keys()] as (keyof TMap & string)[];
  }

  /** The newest schema version of a type. */
  latestVersion(type: keyof TMap & string): number {
    const versions = this.#versions(type, "type");
    return versions[versions.length - 1]!.version;
  }

  /**
   * Validates an event against the newest schema of its type and returns what to append.
   * `field` prefixes the path named by a `ValidationError` (e.g. "events[2]").
   */
  toEventData(event: EventUnion<TMap>, metadata?: EventMetadata, field = "event"): EventData {
    if (typeof event !== "object" || event === null) throw new ValidationError(`${field} must be an event object`, field);
    const versions = this.#versions(event.type, `${field}.type`);
    const latest = versions[versions.length - 1]!;
    const data = parseWith(latest.schema, event.data, `Event "${event.type}" v${latest.version}`, `${field}.data`);
    return { type: event.type, data, schemaVersion: latest.version, ...(metadata ? { metadata } : {}) };
  }

  /**
   * Validates a stored event against the schema of its version, then upcasts it to the newest
   * version (validating each step). Never throws for bad data: the caller applies its policy.
   */
  decode(recorded: RecordedEvent): DecodeResult<EventUnion<TMap>> {
    const where = `Stored event ${recorded.streamId}@${recorded.revision} ("${recorded.type}" v${recorded.schemaVersion})`;
    const versions = this.#types.get(recorded.type);
    if (!versions) return fail(`${where} has a type this registry does not know`, "type");
    const index = versions.findIndex((v) => v.version === recorded.schemaVersion);
    if (index < 0) {
      const newest = versions[versions.length - 1]!.version;
      const why = recorded.schemaVersion > newest ? `newer than this code knows (v${newest})` : "not registered";
      return fail(`${where}: schema version ${recorded.schemaVersion} is ${why}`, "schemaVersion");
    }
    try {
      let data = parseWith(versions[index]!.schema, recorded.data, where, "data");
      for (const next of versions.slice(index + 1)) {
        data = parseWith(next.schema, next.upcast!(data), `${where} upcast to v${next.version}`, "data");
      }
      return { ok: true, event: { type: recorded.type, data } as EventUnion<TMap> };
    } catch (error) {
      if (error instanceof ValidationError) return { ok: false, error };
      return fail(`${where}: upcaster failed: ${(error as Error).message}`, "data", error);
    }
  }

  /** `decode`, throwing the `ValidationError` when the stored event is invalid. */
  decodeOrThrow(recorded: RecordedEvent): EventUnion<TMap> {
    const result = this.decode(recorded);
    if (!result.ok) throw result.error;
    return result.event;
  }

  #versions(type: unknown, field: string): readonly VersionEntry[] {
    const versions = typeof type === "string" ? this.#types.get(type) : undefined;
    if (!versions) {
      const known = [...this.#types.keys()].map((t) => `"${t}"`).join(", ") || "none";
      throw new ValidationError(`Unknown event type ${JSON.stringify(type)} (registered: ${known})`, field);
    }
    return versions;
  }
}

function parseWith(schema: z.ZodType, data: unknown, what: string, field: string): unknown {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = [field, ...issue.path.map((p) => (typeof p === "number" ? `[${p}]` : String(p)))].join(".").replace(/\.\[/g, "[");
  throw new ValidationError(`${what} is invalid at ${path}: ${issue.message}`, path, { cause: result.error });
}

function fail(message: string, field: string, cause?: unknown): { ok: false; error: ValidationError } {
  return { ok: false, error: new ValidationError(message, field, cause === undefined ? undefined : { cause }) };
}

function assertTypeName(type: unknown): asserts type is string {
  if (typeof type !== "string" || !/^[A-Za-z][A-Za-z0-9_.:-]*$/.test(type)) {
    throw new ValidationError(
      `Event type names start with a letter and hold letters, digits, "_", ".", ":" or "-"; got ${JSON.stringify(type)}`,
      "type",
    );
  }
}
