// Bundled at build time; only these two fields end up in dist.
import { name as packageName, peerDependencies } from "../../package.json";
import { ConfigurationError } from "./errors.js";

const RANGES: Readonly<Record<string, string>> = peerDependencies;

/** Node's codes for an import it cannot resolve: ESM, then CommonJS. */
const NOT_FOUND_CODES = new Set(["ERR_MODULE_NOT_FOUND", "MODULE_NOT_FOUND"]);
const MISSING_SPECIFIER = /Cannot find (?:package|module) '([^']+)'/;

/**
 * Runs an adapter's lazy import; when it fails because an optional peer dependency is not
 * installed, throws a ConfigurationError naming the package, its version range and the command
 * that installs it (with the backend's other peers), instead of Node's resolution error.
 */
export async function importPeerDependent<T>(backend: string, peers: readonly string[], load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    throw missingPeerError(error, backend, peers) ?? error;
  }
}

/** The ConfigurationError for `error` if it says a peer cannot be found, else undefined. */
export function missingPeerError(error: unknown, backend: string, peers: readonly string[]): ConfigurationError | undefined {
  if (!(error instanceof Error) || !NOT_FOUND_CODES.has(String((error as { code?: unknown }).code))) return undefined;
  const specifier = MISSING_SPECIFIER.exec(error.message)?.[1];
  if (specifier === undefined) return undefined;
  const missing = packageOf(specifier);
  if (RANGES[missing] === undefined && !peers.includes(missing)) return undefined;
  const install = [missing, ...peers.filter((p) => p !== missing)].map((p) => quoted(versioned(p))).join(" ");
  const range = RANGES[missing];
  return new ConfigurationError(
    `The ${backend} backend needs the package "${missing}"${range ? ` (${range})` : ""}, which is not installed ` +
      `(it is an optional peer dependency of ${packageName}). Install it with: npm install ${install}`,
    { cause: error },
  );
}

/** The range this package declares for `peer`, or undefined for a package it does not know. */
export function peerRange(peer: string): string | undefined {
  return RANGES[peer];
}

function versioned(pkg: string): string {
  const range = RANGES[pkg];
  return range === undefined ? pkg : `${pkg}@${range}`;
}

// Ranges hold characters shells treat specially (^ in cmd.exe, > and < everywhere).
function quoted(spec: string): string {
  return /^[\w@/.-]+$/.test(spec) ? spec : `"${spec}"`;
}

/** "@scope/name/sub/path" → "@scope/name"; "name/sub" → "name". */
function packageOf(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}
