import { AuthenticationError, ConnectionError } from "../../core/errors.js";
import { redactUrl } from "../../core/redact.js";
import { safeCause } from "../../core/safe-cause.js";
import type { ClientCredentials } from "./credentials.js";

/** How the Quarterdeck auth client finds its server and credentials. */
export interface AuthClientOptions {
  /** Quarterdeck base URL, e.g. https://auth.rotational.app (no trailing slash needed). */
  readonly authUrl: string;
  readonly credentials: ClientCredentials;
  /** Renew this long before the access token expires (capped at a quarter of its lifetime). Default 60 s. */
  readonly refreshMarginMs?: number;
  /** Per-request timeout. Default 10 s. */
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

interface Token {
  readonly value: string;
  /** Milliseconds since the epoch. */
  readonly expiresAt: number;
  readonly notBefore: number;
  readonly issuedAt: number | undefined;
}

interface TokenPair {
  readonly access: Token;
  readonly refresh: Token | undefined;
}

const USER_AGENT = "switchyard-ensign/0.1";

/**
 * Ensign's token lifecycle: log in with the client id and secret (`POST /v1/authenticate`),
 * renew shortly before the access token expires with the refresh token (`POST /v1/refresh`),
 * and log in again when the refresh token is not (or no longer) usable or is refused.
 * Concurrent callers share one request. Tokens and the secret never enter an error message.
 */
export class AuthClient {
  readonly #options: AuthClientOptions;
  readonly #now: () => number;
  #tokens: TokenPair | undefined;
  #pending: Promise<TokenPair> | undefined;
  /** How many times each endpoint was called, for tests and diagnostics. */
  readonly counts = { authenticate: 0, refresh: 0 };

  constructor(options: AuthClientOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** A valid access token, renewing or logging in as needed. */
  async accessToken(): Promise<string> {
    const tokens = this.#tokens;
    if (tokens && !this.#needsRenewal(tokens.access)) return tokens.access.value;
    this.#pending ??= this.#renew(tokens).finally(() => {
      this.#pending = undefined;
    });
    return (await this.#pending).access.value;
  }

  /** Forget the access token (the server refused it); the next call renews. */
  invalidateAccessToken(): void {
    if (this.#tokens) this.#tokens = { access: { ...this.#tokens.access, expiresAt: 0 }, refresh: this.#tokens.refresh };
  }

  /** Drops every token. */
  clear(): void {
    this.#tokens = undefined;
  }

  async #renew(current: TokenPair | undefined): Promise<TokenPair> {
    const now = this.#now();
    const refresh = current?.refresh;
    if (refresh && now >= refresh.notBefore && now < refresh.expiresAt) {
      try {
        return (this.#tokens = await this.#request("/v1/refresh", { refresh_token: refresh.value }, "refresh"));
      } catch (error) {
        // A refused refresh falls back to logging in; a transport failure is worth surfacing.
        if (!(error instanceof AuthenticationError)) throw error;
      }
    } else if (current && now < current.access.expiresAt) {
      // Refresh not usable yet and the access token still valid: keep it a little longer.
      return current;
    }
    const { clientId, clientSecret } = this.#options.credentials;
    return (this.#tokens = await this.#request(
      "/v1/authenticate",
      { client_id: clientId, client_secret: clientSecret },
      "authenticate",
    ));
  }

  #needsRenewal(access: Token): boolean {
    const lifetime = access.issuedAt === undefined ? Infinity : access.expiresAt - access.issuedAt;
    const margin = Math.min(this.#options.refreshMarginMs ?? 60_000, lifetime / 4);
    return this.#now() >= access.expiresAt - margin;
  }

  async #request(path: string, body: Record<string, string>, kind: "authenticate" | "refresh"): Promise<TokenPair> {
    this.counts[kind]++;
    const url = `${this.#options.authUrl.replace(/\/+$/, "")}${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json; charset=utf-8",
          accept: "application/json",
          "user-agent": USER_AGENT,
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.#options.timeoutMs ?? 10_000),
      });
    } catch (cause) {
      // The auth URL may carry credentials (from config or the environment): neither the message
      // nor the cause may show them.
      throw new ConnectionError(`Ensign auth service at ${redactUrl(String(url))} is unreachable`, {
        cause: safeCause(cause, secretsOfUrl(String(url))),
      });
    }
    const text = await response.text().catch(() => "");
    if (!response.ok) {
      const reason = this.#scrub(serverError(text));
      const message = `Ensign ${kind} failed: HTTP ${response.status}${reason ? ` (${reason})` : ""}`;
      if (response.status >= 500) throw new ConnectionError(message);
      throw new AuthenticationError(message);
    }
    let reply: unknown;
    try {
      reply = JSON.parse(text);
    } catch {
      throw new AuthenticationError(`Ensign ${kind} reply from ${url} is not JSON`);
    }
    const { access_token: access, refresh_token: refresh } = (reply ?? {}) as Record<string, unknown>;
    if (typeof access !== "string" || access === "") {
      throw new AuthenticationError(`Ensign ${kind} reply from ${url} holds no access token`);
    }
    return {
      access: decodeToken(access, "access"),
      refresh: typeof refresh === "string" && refresh !== "" ? decodeToken(refresh, "refresh") : undefined,
    };
  }

  #scrub(text: string): string {
    const { clientId, clientSecret } = this.#options.credentials;
    return text.split(clientSecret).join("***").split(clientId).join("<client id>").slice(0, 200);
  }
}

function serverError(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: unknown };
    return typeof body.error === "string" ? body.error : "";
  } catch {
    return "";
  }
}

/** Reads exp/nbf/iat from a JWT without verifying it (the server verifies). */
function decodeToken(token: string, which: string): Token {
  const payload = token.split(".")[1];
  let claims: Record<string, unknown>;
  try {
    claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
  } catch {
    throw new AuthenticationError(`The auth service returned a ${which} token that is not a JWT`);
  }
  if (typeof claims.exp !== "number") {
    throw new AuthenticationError(`The auth service returned a ${which} token without a numeric exp claim`);
  }
  return {
    value: token,
    expiresAt: claims.exp * 1000,
    notBefore: typeof claims.nbf === "number" ? claims.nbf * 1000 : 0,
    issuedAt: typeof claims.iat === "number" ? claims.iat * 1000 : undefined,
  };
}

function secretsOfUrl(text: string): string[] {
  try {
    const url = new URL(text);
    return url.password ? [url.password, decodeURIComponent(url.password)] : [];
  } catch {
    return [];
  }
}
