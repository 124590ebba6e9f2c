/** gRPC-side authentication and authorization, as Ensign's auth interceptor and handlers do it. */
import { status, type Metadata, type StatusObject } from "@grpc/grpc-js";
import type { TokenClaims, TokenIssuer } from "./tokens.js";

export const PERMISSIONS = {
  publisher: "publisher",
  subscriber: "subscriber",
  createTopics: "topics:create",
  editTopics: "topics:edit",
  destroyTopics: "topics:destroy",
  readTopics: "topics:read",
  readMetrics: "metrics:read",
} as const;

/** Every permission an Ensign API key can carry for this service. */
export const ALL_PERMISSIONS: readonly string[] = Object.values(PERMISSIONS);

/** A gRPC status to fail a call with. */
export class RpcError extends Error {
  constructor(
    readonly code: status,
    readonly details: string,
  ) {
    super(details);
  }

  toStatus(): Partial<StatusObject> {
    return { code: this.code, details: this.details };
  }
}

export const notAuthorized = () => new RpcError(status.PERMISSION_DENIED, "not authorized to perform this action");

export interface Caller {
  claims: TokenClaims;
  projectId: string;
  has(permission: string): boolean;
  hasAny(...permissions: string[]): boolean;
}

/**
 * Finds the first `authorization: Bearer <jwt>` value that verifies (the interceptor's rule).
 * Missing header -> UNAUTHENTICATED "missing credentials"; none verifies -> "invalid credentials".
 */
export function authenticate(metadata: Metadata, issuer: TokenIssuer, audience: string): Caller {
  const values = metadata.get("authorization");
  if (values.length === 0) throw new RpcError(status.UNAUTHENTICATED, "missing credentials");
  for (const value of values) {
    if (typeof value !== "string" || !value.startsWith("Bearer ")) continue;
    const verified = issuer.verify(value.slice("Bearer ".length), audience);
    if ("claims" in verified) {
      const claims = verified.claims;
      const granted = new Set(claims.permissions ?? []);
      return {
        claims,
        projectId: claims.project ?? "",
        has: (permission) => granted.has(permission),
        hasAny: (...permissions) => permissions.some((p) => granted.has(p)),
      };
    }
  }
  throw new RpcError(status.UNAUTHENTICATED, "invalid credentials");
}
