import type { Capabilities } from "../../core/capabilities.js";
import { POSTGRES_BACKEND } from "./positions.js";

/** Every capability; appends are bounded by PostgreSQL's 1 GB field limit, not by a limit of ours. */
export const postgresCapabilities: Capabilities = Object.freeze({
  backend: POSTGRES_BACKEND,
  expectedRevision: true,
  atomicAppend: true,
  idempotentIds: true,
  readBackward: true,
  globalOrder: true,
  catchUpSubscriptions: true,
  categorySubscriptions: true,
  persistentSubscriptions: true,
  delete: true,
  tombstone: true,
  streamMetadata: true,
  maxAppendBytes: undefined,
  maxAppendBytesPer: "batch",
});
