import { everyCapability, type Capabilities } from "../../core/capabilities.js";
import { POSTGRES_BACKEND } from "./positions.js";

/** Every capability; appends are bounded by PostgreSQL's 1 GB field limit, not by a limit of ours. */
export const postgresCapabilities: Capabilities = everyCapability(POSTGRES_BACKEND, undefined);
