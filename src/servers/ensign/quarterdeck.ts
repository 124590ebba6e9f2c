/**
 * The Quarterdeck endpoints Ensign clients use, over node:http:
 *   POST /v1/authenticate {client_id, client_secret} -> 200 {access_token, refresh_token, last_login}
 *   POST /v1/refresh      {refresh_token}            -> 200 same shape
 *   GET|POST /v1/status                              -> 200 {status:"ok", uptime, version}
 *   GET /.well-known/jwks.json                       -> the RS256 public key(s)
 * Errors are {"success": false, "error": "..."} with Quarterdeck's status codes and messages:
 * 400 unparsable / missing credentials, 403 invalid credentials or a refresh token that does not
 * verify (expired, used before its nbf, wrong audience, unknown key).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { TokenIssuer } from "./tokens.js";

export interface ApiKeyRecord {
  clientId: string;
  clientSecret: string;
  orgId: string;
  projectId: string;
  permissions: string[];
  lastLogin: string;
}

export interface QuarterdeckState {
  keys: Map<string, ApiKeyRecord>;
  tokens: TokenIssuer;
  startedAt: number;
  version: string;
  /** Counts calls for tests: authenticate / refresh. */
  calls: { authenticate: number; refresh: number };
}

const LOG_BACK_IN = "Logged out of your account - please log back in!";
const MAX_BODY = 64 * 1024;

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
  });
  res.end(text);
}

const fail = (res: ServerResponse, status: number, error: string) => reply(res, status, { success: false, error });

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY) throw new Error("body too large");
    chunks.push(buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

function stringField(body: unknown, key: string): string {
  if (typeof body !== "object" || body === null) return "";
  const value = (body as Record<string, unknown>)[key];
  return typeof value === "string" ? value : "";
}

function issueFor(state: QuarterdeckState, key: ApiKeyRecord) {
  const pair = state.tokens.issuePair({
    sub: key.clientId,
    org: key.orgId,
    project: key.projectId,
    permissions: key.permissions,
  });
  const lastLogin = key.lastLogin;
  key.lastLogin = new Date().toISOString();
  return { ...pair, last_login: lastLogin };
}

async function authenticate(state: QuarterdeckState, req: IncomingMessage, res: ServerResponse) {
  state.calls.authenticate++;
  let body: unknown;
  try {
    body = await readJson(req);
  } catch {
    return fail(res, 400, "could not parse request");
  }
  const clientId = stringField(body, "client_id");
  const clientSecret = stringField(body, "client_secret");
  if (!clientId || !clientSecret) return fail(res, 400, "missing credentials");
  const key = state.keys.get(clientId);
  if (!key || key.clientSecret !== clientSecret) return fail(res, 403, "invalid credentials");
  return reply(res, 200, issueFor(state, key));
}

async function refresh(state: QuarterdeckState, req: IncomingMessage, res: ServerResponse) {
  state.calls.refresh++;
  let body: unknown;
  try {
    body = await readJson(req);
  } catch {
    return fail(res, 400, LOG_BACK_IN);
  }
  const token = stringField(body, "refresh_token");
  if (!token) return fail(res, 400, LOG_BACK_IN);
  const verified = state.tokens.verify(token, state.tokens.refreshAudience);
  if ("reason" in verified) return fail(res, 403, LOG_BACK_IN);
  const key = state.keys.get(verified.claims.sub);
  if (!key) return fail(res, 403, LOG_BACK_IN);
  return reply(res, 200, issueFor(state, key));
}

/** Creates (but does not start) the Quarterdeck HTTP server. */
export function createQuarterdeck(state: QuarterdeckState): Server {
  return createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0];
    const handle = async () => {
      if (path === "/v1/authenticate" && req.method === "POST") return authenticate(state, req, res);
      if (path === "/v1/refresh" && req.method === "POST") return refresh(state, req, res);
      if (path === "/v1/status" && (req.method === "GET" || req.method === "POST")) {
        const uptime = `${((Date.now() - state.startedAt) / 1000).toFixed(3)}s`;
        return reply(res, 200, { status: "ok", uptime, version: state.version });
      }
      if (path === "/.well-known/jwks.json" && req.method === "GET") return reply(res, 200, state.tokens.jwks());
      return fail(res, 404, "resource not found");
    };
    handle().catch(() => {
      if (!res.headersSent) fail(res, 500, "could not complete request");
      else res.destroy();
    });
  });
}
