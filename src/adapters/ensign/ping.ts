import { ConnectionError } from "../../core/errors.js";
import type { Ensign } from "./ensign-client.js";

/** Statuses in which the node refuses or fails every call but Status itself. */
const NOT_SERVING = new Set(["UNHEALTHY", "OFFLINE", "MAINTENANCE"]);

/**
 * The node's Status RPC (it needs no token, so it proves only that the node answers and
 * serves) alongside an access token from the auth service, which logs in when this client holds
 * none: refused credentials are an AuthenticationError, as they would be on the first append.
 */
export async function pingEnsign(client: Ensign, signal: AbortSignal): Promise<void> {
  const [status, token] = await Promise.allSettled([client.topics.status(signal), client.auth.accessToken()]);
  // The node's answer says more than the auth service's: report it first.
  if (status.status === "rejected") throw status.reason;
  if (token.status === "rejected") throw token.reason;
  if (NOT_SERVING.has(status.value.status)) {
    throw new ConnectionError(`Ensign at ${client.settings.endpoint} is not serving: its status is ${status.value.status}`);
  }
}
