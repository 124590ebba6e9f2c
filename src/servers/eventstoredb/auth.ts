// Basic authentication as the server's HTTP middleware does it: a malformed or wrong
// `authorization: Basic ...` header is refused before the call reaches the service (HTTP 401,
// which gRPC clients surface as UNAUTHENTICATED); a call without credentials runs as anonymous,
// and since 23.10 anonymous users may not touch streams (PERMISSION_DENIED, `access-denied`).
// Without credentials, a user certificate on a TLS connection authenticates its CN's user.
import { timingSafeEqual } from "node:crypto";
import type { Metadata, ServiceError } from "@grpc/grpc-js";
import { certificateUser } from "./client-certificates.js";
import { accessDenied, unauthenticated } from "./errors.js";

export type Users = Readonly<Record<string, string>>;

export type Principal = { readonly kind: "anonymous" } | { readonly kind: "user"; readonly name: string };

export interface Authenticator {
  /** `undefined` means: no authentication at all (insecure mode), everything is allowed. */
  authenticate(metadata: Metadata): Principal | ServiceError;
  /** Refuses anonymous callers of stream/subscription operations when authentication is on. */
  authorize(metadata: Metadata): ServiceError | undefined;
}

export const insecureAuthenticator: Authenticator = {
  authenticate: () => ({ kind: "user", name: "admin" }),
  authorize: () => undefined,
};

export function basicAuthenticator(users: Users): Authenticator {
  const authenticate = (metadata: Metadata): Principal | ServiceError => {
    const values = metadata.get("authorization");
    if (values.length === 0) {
      // No credentials in the call: a valid user certificate on the connection names the user,
      // who must exist (the internal provider's check); otherwise the call is anonymous.
      const certified = certificateUser(metadata);
      if (certified === undefined) return { kind: "anonymous" };
      return Object.hasOwn(users, certified) ? { kind: "user", name: certified } : unauthenticated();
    }
    const header = String(values[0]);
    const match = /^Basic\s+(.+)$/.exec(header);
    if (values.length !== 1 || match?.[1] === undefined) return unauthenticated();
    const decoded = Buffer.from(match[1], "base64").toString("utf8");
    const separator = decoded.indexOf(":");
    if (separator < 0) return unauthenticated();
    const name = decoded.slice(0, separator);
    const password = decoded.slice(separator + 1);
    const expected = Object.hasOwn(users, name) ? users[name] : undefined;
    if (expected === undefined || !sameSecret(expected, password)) return unauthenticated();
    return { kind: "user", name };
  };
  return {
    authenticate,
    authorize(metadata) {
      const principal = authenticate(metadata);
      if ("code" in principal) return principal;
      return principal.kind === "anonymous" ? accessDenied() : undefined;
    },
  };
}

function sameSecret(expected: string, given: string): boolean {
  const a = Buffer.from(expected, "utf8");
  const b = Buffer.from(given, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}
