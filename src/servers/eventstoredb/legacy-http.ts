// The HTTP/1.1 endpoints tooling and health checks call, answered as the real server answers
// them: `/health/live` (ClusterVNodeStartup's StatusCheck: GET/HEAD only, 204 — or the status
// asked with `?liveCode=` — while the node runs, 503 once it is shutting down) and `/info`
// (InfoController: version, state, features, authentication, camel-cased JSON, anonymous
// access allowed). Every other path is refused with 404 and a text saying what is served.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { SERVER_VERSION } from "./features.js";

export interface LegacyHttpState {
  /** The node's state as `/info` names it: "leader", "follower", … */
  state(): string;
  readonly projections: boolean;
  readonly secure: boolean;
  /** False once a graceful stop began: `/health/live` then answers 503. */
  ready(): boolean;
}

const NOT_SERVED =
  "Not served by this EventStoreDB-compatible server (switchyard-events): over HTTP/1.1 it answers only " +
  "GET /health/live and GET /info; everything else is gRPC (HTTP/2).\n";

export function legacyHttpServer(node: LegacyHttpState): Server {
  return createServer((request, response) => answer(node, request, response));
}

function answer(node: LegacyHttpState, request: IncomingMessage, response: ServerResponse): void {
  const url = new URL(request.url ?? "/", "http://node");
  const method = request.method ?? "GET";
  const readOnly = method === "GET" || method === "HEAD";
  if (url.pathname.startsWith("/health")) {
    if (!readOnly) return end(response, 405);
    if (url.pathname !== "/health/live") return refuse(response, method);
    if (!node.ready()) return end(response, 503);
    const asked = Number.parseInt(url.searchParams.get("liveCode") ?? "", 10);
    return end(response, Number.isInteger(asked) && asked >= 100 && asked <= 599 ? asked : 204);
  }
  if (url.pathname === "/info") {
    if (method !== "GET") return end(response, 405);
    const body = JSON.stringify({
      dbVersion: SERVER_VERSION,
      esVersion: SERVER_VERSION,
      state: node.state(),
      features: { projections: node.projections, userManagement: node.secure, atomPub: false },
      authentication: { type: "internal", properties: {} },
    });
    response.writeHead(200, { "content-type": "application/json; charset=utf-8" });
    response.end(body);
    return;
  }
  refuse(response, method);
}

function refuse(response: ServerResponse, method: string): void {
  response.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
  response.end(method === "HEAD" ? undefined : NOT_SERVED);
}

function end(response: ServerResponse, code: number): void {
  response.writeHead(code);
  response.end();
}
