/**
 * An in-process Ensign server for tests: Ensign's gRPC API (ensign.v1beta1.Ensign, all 13 RPCs,
 * plus grpc.health.v1.Health) over our own protos, and the Quarterdeck auth endpoints over
 * node:http, behaving as shared/protocols/ensign.md describes the real server (v0.12.9).
 *
 * ```ts
 * const server = await startEnsignServer({ accessTtlSeconds: 2 });
 * server.endpoint      // "127.0.0.1:PORT"          (gRPC, plaintext)
 * server.authUrl       // "http://127.0.0.1:AUTHPORT" (Quarterdeck)
 * server.url           // "ensign://127.0.0.1:PORT?insecure=true&authUrl=http%3A%2F%2F127.0.0.1%3AAUTHPORT"
 * server.clientId / server.clientSecret  // the first API key (random unless `clients` is given)
 * await server.restart()                 // forced stop + start on the same ports, data kept
 * await server.close()
 * ```
 *
 * Options (all optional): `port`, `authPort` (0 = free port); `clients: [{ clientId, clientSecret,
 * projectId?, permissions? }]` (default: one random key with every permission in the default
 * project `server.projectId`); `accessTtlSeconds` (3600), `refreshTtlSeconds` (7200),
 * `refreshOverlapSeconds` (900: the refresh token's nbf is that long before the access token's
 * exp, never before iat); `subscriberBuffer` (16384); `now` (clock for tokens and commit stamps);
 * `maxReceiveMessageBytes` (default: the real server's, grpc-go's 4 MiB, exported as
 * REAL_SERVER_MAX_RECEIVE_BYTES: a request above it ends its stream with RESOURCE_EXHAUSTED
 * "grpc: received message larger than max (N vs. LIMIT)", and is counted in `oversizedRequests`);
 * `maxEventBytes` (default the server's 5,243,000: larger serialized events are nacked
 * MAX_EVENT_SIZE_EXCEEDED, which a stock server only reaches with a raised receive limit).
 *
 * Test hooks: `stop()` (open Publish/Subscribe/EnSQL streams end with UNAVAILABLE, as for a killed
 * server; then both listeners close), `start()`, `restart()` (same ports, same data, same API keys
 * and signing key, so issued tokens stay valid), `dropSubscribers()` (ends every Subscribe stream
 * with UNAVAILABLE), `setMaintenance(on)`, `eventCount`, `droppedEvents`, `subscriberCount`,
 * `authCalls`, `oversizedRequests`, `store` (direct access to topics and logs).
 *
 * Behaviour of the real server that clients must cope with (reproduced here):
 * - Auth: POST /v1/authenticate {client_id, client_secret} -> {access_token, refresh_token,
 *   last_login}; POST /v1/refresh {refresh_token}. RS256 JWTs, numeric iat/nbf/exp; the refresh
 *   token is refused (403) before its nbf and after its exp. gRPC calls need metadata
 *   `authorization: Bearer <access>`; missing -> UNAUTHENTICATED "missing credentials", bad or
 *   expired -> UNAUTHENTICATED "invalid credentials". Status and Health are public.
 * - Publish: first request open_stream (else FAILED_PRECONDITION); a project without topics (or a
 *   topic filter matching none) -> FAILED_PRECONDITION "no topics available"; reply ready with the
 *   topic name -> 16-byte id map. The allowed topics are fixed when the stream opens: a topic
 *   created later is Nack TOPIC_UNKNOWN on that stream. Ack/Nack.id = the event's local_id. Event
 *   bytes > 5,243,000 -> Nack MAX_EVENT_SIZE_EXCEEDED (only reachable with a raised receive
 *   limit). Event ids are 10-byte RLIDs. Client half-close -> close_stream {events, topics, acks,
 *   nacks} then OK.
 * - Stored events carry no `committed` timestamp and no local_id (the broker stores before it
 *   stamps `committed`); only the live copy sent to subscribers has `committed`.
 * - Subscribe: first request subscription; live fan-out of events committed after the stream
 *   registered, no replay, acks/nacks only counted; a slow subscriber's overflow is dropped. The
 *   server never ends a subscription itself: a client that half-closes keeps receiving events
 *   until it cancels the call.
 * - EnSQL: only FROM topic, OFFSET, LIMIT and include_duplicates are honoured; WHERE is parsed
 *   and ignored; `LIMIT 0` still returns one event (the limit is checked after sending). The
 *   tokenizer matches reserved words as case-insensitive prefixes and identifiers are
 *   [a-zA-Z0-9_-]: a topic whose name contains a dot, or starts with AS/OR/AND/FROM/LIKE/LIMIT/…
 *   (e.g. "orders", "assets"), or is t/f/true/false, cannot be queried by name.
 * - Archive sets `readonly` but publishing is still accepted (the broker check is a TODO in the
 *   real server); destroy answers DELETING and removes topic and data in the background.
 * - Deduplication happens only when SetTopicPolicy applies a policy (rehash), never on publish.
 */
export {
  EMULATED_VERSION,
  EnsignServer,
  REAL_SERVER_MAX_RECEIVE_BYTES,
  startEnsignServer,
  type EnsignClientSpec,
  type EnsignServerCredentials,
  type EnsignServerOptions,
} from "./server.js";
export { ALL_PERMISSIONS, PERMISSIONS } from "./auth.js";
export { parseEnsql, EnsqlError, type ParsedQuery } from "./ensql.js";
