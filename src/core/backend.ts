import type { z } from "zod";
import type { EventStream } from "./event-stream.js";

/**
 * How `connect()` knows a backend: its URL schemes, a zod schema for its config, a URL parser
 * into that config, and a lazy loader for the adapter itself (so gRPC is loaded only when used).
 * Descriptors live in `src/adapters/<name>/backend.ts` and must not import driver libraries.
 */
export interface BackendDescriptor<TConfig extends { backend: string }> {
  readonly name: TConfig["backend"];
  readonly schemes: readonly string[];
  readonly configSchema: z.ZodType<TConfig>;
  /** Parses a URL of one of `schemes` into config; throws ConfigurationError saying what was expected. */
  fromUrl(url: URL): TConfig;
  /**
   * Parses connection strings that are not WHATWG URLs, such as a comma-separated host list;
   * when present, `connect()` uses it instead of `fromUrl` for this backend's schemes.
   */
  fromConnectionString?(text: string): TConfig;
  /**
   * The npm packages `load()` imports that users install themselves (optional peer
   * dependencies). A missing one is reported with the command that installs them.
   */
  readonly peerDependencies?: readonly string[];
  load(): Promise<(config: TConfig) => Promise<EventStream> | EventStream>;
}
