/**
 * JWTs as Quarterdeck issues them: RS256, a `kid` header, numeric `iat`/`nbf`/`exp`.
 * Access token: sub (API key id), iss, aud [audience], jti, org, project, permissions; nbf = iat.
 * Refresh token: same jti/sub/iss/org/project but no permissions; aud additionally holds
 * `<issuer>/v1/refresh`; nbf = access exp + overlap (overlap is negative: -15 min by default,
 * never before iat here) and exp = iat + refresh duration.
 */
import { generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from "node:crypto";
import { newUlid, ulidToString } from "../../adapters/ensign/wire/index.js";

export interface TokenClaims {
  iss: string;
  aud: string[];
  sub: string;
  jti: string;
  iat: number;
  nbf: number;
  exp: number;
  org?: string;
  project?: string;
  permissions?: string[];
}

export interface TokenSettings {
  /** Read on every use: the emulator's URL is known only once it listens. */
  issuer: () => string;
  audience: string;
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
  /** Seconds before the access token's expiry from which the refresh token is valid. */
  refreshOverlapSeconds: number;
  nowMs: () => number;
}

const b64url = (value: Buffer | string) => Buffer.from(value).toString("base64url");

export class TokenIssuer {
  readonly keyId = ulidToString(newUlid());
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;

  constructor(private readonly settings: TokenSettings) {
    const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
  }

  /** The JSON Web Key Set Quarterdeck publishes at /.well-known/jwks.json. */
  jwks(): { keys: Array<Record<string, unknown>> } {
    return { keys: [{ ...this.publicKey.export({ format: "jwk" }), kid: this.keyId, use: "sig", alg: "RS256" }] };
  }

  get refreshAudience(): string {
    return `${this.settings.issuer()}/v1/refresh`;
  }

  nowSeconds(): number {
    return Math.floor(this.settings.nowMs() / 1000);
  }

  /** Mints an access/refresh pair for an API key. */
  issuePair(subject: { sub: string; org: string; project: string; permissions: string[] }): {
    access_token: string;
    refresh_token: string;
  } {
    const { audience, accessTtlSeconds, refreshTtlSeconds, refreshOverlapSeconds } = this.settings;
    const issuer = this.settings.issuer();
    const iat = this.nowSeconds();
    const jti = ulidToString(newUlid()).toLowerCase();
    const exp = iat + accessTtlSeconds;
    const access: TokenClaims = {
      iss: issuer,
      aud: [audience],
      sub: subject.sub,
      jti,
      iat,
      nbf: iat,
      exp,
      org: subject.org,
      project: subject.project,
      permissions: subject.permissions,
    };
    const refresh: TokenClaims = {
      iss: issuer,
      aud: [audience, this.refreshAudience],
      sub: subject.sub,
      jti,
      iat,
      nbf: Math.max(iat, exp - Math.min(refreshOverlapSeconds, accessTtlSeconds)),
      exp: iat + refreshTtlSeconds,
      org: subject.org,
      project: subject.project,
    };
    return { access_token: this.sign(access), refresh_token: this.sign(refresh) };
  }

  sign(claims: TokenClaims): string {
    const header = b64url(JSON.stringify({ alg: "RS256", kid: this.keyId, typ: "JWT" }));
    const payload = b64url(JSON.stringify(claims));
    const signature = sign("sha256", Buffer.from(`${header}.${payload}`), this.privateKey);
    return `${header}.${payload}.${b64url(signature)}`;
  }

  /**
   * Verifies signature, algorithm, issuer, audience and the time window. Returns the claims or a
   * reason (never the token itself).
   */
  verify(token: string, requiredAudience: string): { claims: TokenClaims } | { reason: string } {
    const parts = token.split(".");
    if (parts.length !== 3) return { reason: "malformed token" };
    const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
    let header: { alg?: unknown; kid?: unknown };
    let claims: TokenClaims;
    try {
      header = JSON.parse(Buffer.from(headerPart, "base64url").toString("utf8"));
      claims = JSON.parse(Buffer.from(payloadPart, "base64url").toString("utf8"));
    } catch {
      return { reason: "malformed token" };
    }
    if (header.alg !== "RS256") return { reason: "unexpected signing algorithm" };
    if (header.kid !== this.keyId) return { reason: "unknown signing key" };
    const valid = verify(
      "sha256",
      Buffer.from(`${headerPart}.${payloadPart}`),
      this.publicKey,
      Buffer.from(signaturePart, "base64url"),
    );
    if (!valid) return { reason: "invalid signature" };
    const now = this.nowSeconds();
    if (typeof claims.exp !== "number" || now >= claims.exp) return { reason: "token is expired" };
    if (typeof claims.nbf !== "number" || now < claims.nbf) return { reason: "token is not valid yet" };
    if (claims.iss !== this.settings.issuer()) return { reason: "invalid issuer" };
    if (!Array.isArray(claims.aud) || !claims.aud.includes(requiredAudience)) return { reason: "invalid audience" };
    return { claims };
  }
}

/** A random client secret / id in the shape Quarterdeck mints (letters and digits). */
export function randomKey(length: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = randomBytes(length);
  let out = "";
  for (const byte of bytes) out += alphabet.charAt(byte % alphabet.length);
  return out;
}
