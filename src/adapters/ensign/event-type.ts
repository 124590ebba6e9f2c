import { ValidationError } from "../../core/errors.js";

/** Ensign's schema type: a name plus a semantic version. */
export interface EventTypeVersion {
  readonly name: string;
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

// semver 2.0.0 with an optional leading "v"; prerelease and build metadata are accepted and ignored.
const SEMVER =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
const UINT32_MAX = 0xffff_ffff;

/** Parses "1.2.3", "v1.2.3", "1.2.3-rc.1+build" into its three numbers. */
export function parseSemver(version: string): { major: number; minor: number; patch: number } {
  const match = typeof version === "string" ? SEMVER.exec(version.trim()) : null;
  if (!match) {
    throw new ValidationError(`Unparseable semantic version ${JSON.stringify(version)}: expected e.g. "1.2.3"`, "version");
  }
  const [major, minor, patch] = [match[1], match[2], match[3]].map(Number) as [number, number, number];
  if ([major, minor, patch].some((n) => n > UINT32_MAX)) {
    throw new ValidationError(`Semantic version ${JSON.stringify(version)} has a part above 2^32-1`, "version");
  }
  return { major, minor, patch };
}

/** Parses "Name v1.2.3" (or "Name 1.2.3", or just "Name" for version 0.0.0). */
export function parseEventType(text: string): EventTypeVersion {
  if (typeof text !== "string" || text.trim() === "") {
    throw new ValidationError("An event type must be a non-empty string like \"Name v1.2.3\"", "type");
  }
  const trimmed = text.trim();
  const space = trimmed.lastIndexOf(" ");
  if (space < 0) return { name: trimmed, major: 0, minor: 0, patch: 0 };
  const name = trimmed.slice(0, space).trim();
  return { name, ...parseSemver(trimmed.slice(space + 1)) };
}

/** An Ensign event type's version as `major.minor.patch`. */
export function semverString(type: Pick<EventTypeVersion, "major" | "minor" | "patch">): string {
  return `${type.major}.${type.minor}.${type.patch}`;
}

/** "Name v1.2.3", the form both SDKs print. */
export function formatEventType(type: EventTypeVersion): string {
  return `${type.name} v${semverString(type)}`;
}
