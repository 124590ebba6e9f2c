import { BACKWARDS, END, type EventStoreDBClient } from "@eventstore/db-client";
import { ConnectionError, isAuthorizationError, isConnectionError, isStreamDeletedError, isStreamNotFoundError } from "../../core/errors.js";
import { drain } from "./drain.js";

/**
 * A stream nobody is expected to write. Reading its last event needs the server (and, for a
 * cluster, discovery) and sends the credentials, yet costs the server one index lookup.
 */
const PING_STREAM = "switchyard-ping";

/**
 * One real round trip through the official client. Any answer from the server counts (usually
 * "stream not found"; "access denied" means the credentials were accepted but the stream's ACL
 * refuses them, which ping does not judge); refused credentials are an AuthenticationError and a
 * silent or unreachable server a ConnectionError.
 */
export async function pingEventStoreDB(client: EventStoreDBClient, signal: AbortSignal, deadlineMs: number): Promise<void> {
  const read = client.readStream(PING_STREAM, { fromRevision: END, direction: BACKWARDS, maxCount: 1n, deadline: deadlineMs });
  try {
    for await (const _ of drain(read, signal, { operation: "read", stream: PING_STREAM }, 1n)) {
      // An event in that stream is an answer too.
    }
  } catch (error) {
    if (isStreamNotFoundError(error) || isStreamDeletedError(error) || isAuthorizationError(error)) return;
    if (isConnectionError(error) && !signal.aborted) {
      throw new ConnectionError(`EventStoreDB did not answer a ping: ${error.message}`, { cause: error });
    }
    throw error;
  }
}
