import { everyCapability, type Capabilities } from "../../core/capabilities.js";

export const SQLITE_BACKEND = "sqlite";
/** As on EventStoreDB and memory, so an app meets the same limit on every backend; configurable. */
export const DEFAULT_MAX_APPEND_BYTES = 1_048_576;

/** Everything: one file holds streams, the global order, retention settings and consumer groups. */
export function sqliteCapabilities(maxAppendBytes = DEFAULT_MAX_APPEND_BYTES): Capabilities {
  return everyCapability(SQLITE_BACKEND, maxAppendBytes);
}
