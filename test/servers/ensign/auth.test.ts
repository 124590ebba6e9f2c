import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HealthCheckResponse, ServiceState, TopicsPage } from "../../../src/adapters/ensign/wire/index.js";
import { HEALTH_SERVICE } from "../../../src/adapters/ensign/wire/index.js";
import { startEnsignServer, type EnsignServer } from "../../../src/servers/ensign/index.js";
import { RawEnsignClient, decodeJwt, login, postJson } from "./test-client.js";

describe("Ensign emulator: Quarterdeck auth and gRPC credentials", () => {
  let now = Date.UTC(2026, 0, 1);
  let server: EnsignServer;
  let client: RawEnsignClient;

  beforeAll(async () => {
    server = await startEnsignServer({
      now: () => now,
      accessTtlSeconds: 60,
      refreshTtlSeconds: 600,
      refreshOverlapSeconds: 15,
      clients: [
        { clientId: "full-access", clientSecret: "s3cret-full" },
        { clientId: "read-only", clientSecret: "s3cret-read", permissions: ["topics:read"] },
      ],
    });
    client = new RawEnsignClient(server.endpoint);
  });

  afterAll(async () => {
    client.close();
    await server.close();
  });

  it("authenticates a client and issues RS256 tokens with Quarterdeck's claims", async () => {
    const reply = await postJson(`${server.authUrl}/v1/authenticate`, { client_id: "full-access", client_secret: "s3cret-full" });
    expect(reply.status).toBe(200);
    expect(reply.contentType).toBe("application/json; charset=utf-8");
    const access = decodeJwt(String(reply.body.access_token));
    const refresh = decodeJwt(String(reply.body.refresh_token));
    expect(access.header).toMatchObject({ alg: "RS256", typ: "JWT" });
    expect(typeof access.header.kid).toBe("string");
    const iat = Math.floor(now / 1000);
    expect(access.claims).toMatchObject({
      sub: "full-access",
      iss: server.authUrl,
      iat,
      nbf: iat,
      exp: iat + 60,
      project: server.projectId,
      permissions: expect.arrayContaining(["publisher", "subscriber", "topics:create", "topics:read", "metrics:read"]),
    });
    expect(refresh.claims).toMatchObject({ sub: "full-access", iat, nbf: iat + 45, exp: iat + 600, project: server.projectId });
    expect(refresh.claims.permissions).toBeUndefined();
    expect(refresh.claims.aud).toContain(`${server.authUrl}/v1/refresh`);
    expect(reply.body.last_login).toBe("");
  });

  it("publishes the signing key as a JWKS that verifies the issued tokens", async () => {
    const { createPublicKey, verify } = await import("node:crypto");
    const jwks = (await (await fetch(`${server.authUrl}/.well-known/jwks.json`)).json()) as { keys: Array<Record<string, string>> };
    const { access_token } = await login(server);
    const [h, p, sig] = access_token.split(".");
    const key = jwks.keys.find((k) => k.kid === decodeJwt(access_token).header.kid);
    expect(key).toMatchObject({ kty: "RSA", alg: "RS256", use: "sig" });
    const publicKey = createPublicKey({ key: key as unknown as import("node:crypto").JsonWebKey, format: "jwk" });
    expect(verify("sha256", Buffer.from(`${h}.${p}`), publicKey, Buffer.from(sig ?? "", "base64url"))).toBe(true);
  });

  it("rejects bad, missing and unparsable credentials like Quarterdeck", async () => {
    const wrong = await postJson(`${server.authUrl}/v1/authenticate`, { client_id: "full-access", client_secret: "nope" });
    expect(wrong).toMatchObject({ status: 403, body: { success: false, error: "invalid credentials" } });
    const unknown = await postJson(`${server.authUrl}/v1/authenticate`, { client_id: "who", client_secret: "nope" });
    expect(unknown.status).toBe(403);
    const missing = await postJson(`${server.authUrl}/v1/authenticate`, { client_id: "full-access" });
    expect(missing).toMatchObject({ status: 400, body: { error: "missing credentials" } });
    const garbage = await postJson(`${server.authUrl}/v1/authenticate`, "{not json");
    expect(garbage).toMatchObject({ status: 400, body: { error: "could not parse request" } });
    expect(JSON.stringify([wrong.body, missing.body])).not.toContain("s3cret");
  });

  it("answers gRPC calls without a token UNAUTHENTICATED 'missing credentials', bad ones 'invalid credentials'", async () => {
    client.setToken(undefined);
    await expect(client.unary("ListTopics", {})).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED, details: "missing credentials" });
    client.setToken("not.a.jwt");
    await expect(client.unary("ListTopics", {})).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED, details: "invalid credentials" });
    const { access_token } = await login(server);
    const [h, p, s] = access_token.split(".");
    const claims = JSON.parse(Buffer.from(p ?? "", "base64url").toString());
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, project: "01ARZ3NDEKTSV4RRFFQ69G5FAV" })).toString("base64url")}.${s}`;
    client.setToken(forged);
    await expect(client.unary("ListTopics", {})).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    client.setToken(access_token);
    await expect(client.unary<TopicsPage>("ListTopics", {})).resolves.toMatchObject({ topics: [] });
  });

  it("serves Status and Health without a token", async () => {
    client.setToken(undefined);
    const state = await client.unary<ServiceState>("Status", { attempts: 1 });
    expect(state.status).toBe(1); // HEALTHY
    expect(state.version).toBe("0.12.9-beta.24");
    const Health = grpc.makeGenericClientConstructor(HEALTH_SERVICE, "Health");
    const health = new Health(server.endpoint, grpc.credentials.createInsecure()) as unknown as {
      Check(req: object, cb: (e: grpc.ServiceError | null, r: HealthCheckResponse) => void): void;
      close(): void;
    };
    const reply = await new Promise<HealthCheckResponse>((resolve, reject) =>
      health.Check({ service: "ensign.v1beta1.Ensign" }, (e, r) => (e ? reject(e) : resolve(r))),
    );
    expect(reply.status).toBe(1); // SERVING
    health.close();
  });

  it("denies RPCs the API key has no permission for", async () => {
    const { access_token } = await login(server, 1);
    client.setToken(access_token);
    await expect(client.unary("ListTopics", {})).resolves.toBeDefined();
    await expect(client.unary("CreateTopic", { name: "nope" })).rejects.toMatchObject({
      code: grpc.status.PERMISSION_DENIED,
      details: "not authorized to perform this action",
    });
    const publish = client.bidi("Publish");
    expect((await publish.finished()).code).toBe(grpc.status.PERMISSION_DENIED);
  });

  it("expires access tokens and refreshes only inside the refresh token's [nbf, exp) window", async () => {
    const start = now;
    const tokens = await login(server);
    client.setToken(tokens.access_token);
    await expect(client.unary("ListTopics", {})).resolves.toBeDefined();

    const early = await postJson(`${server.authUrl}/v1/refresh`, { refresh_token: tokens.refresh_token });
    expect(early).toMatchObject({ status: 403, body: { success: false } });

    now = start + 61_000; // access token expired
    await expect(client.unary("ListTopics", {})).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED, details: "invalid credentials" });

    now = start + 50_000; // inside the refresh window (nbf = exp - 15 s)
    const refreshed = await postJson(`${server.authUrl}/v1/refresh`, { refresh_token: tokens.refresh_token });
    expect(refreshed.status).toBe(200);
    client.setToken(String(refreshed.body.access_token));
    await expect(client.unary("ListTopics", {})).resolves.toBeDefined();
    expect(decodeJwt(String(refreshed.body.access_token)).claims.exp).toBe(Math.floor(now / 1000) + 60);

    now = start + 601_000; // refresh token expired
    const late = await postJson(`${server.authUrl}/v1/refresh`, { refresh_token: tokens.refresh_token });
    expect(late.status).toBe(403);
    const missing = await postJson(`${server.authUrl}/v1/refresh`, {});
    expect(missing.status).toBe(400);
    now = start;
  });

  it("does not accept an access token at /v1/refresh (wrong audience)", async () => {
    const tokens = await login(server);
    now += 50_000;
    const reply = await postJson(`${server.authUrl}/v1/refresh`, { refresh_token: tokens.access_token });
    now -= 50_000;
    expect(reply.status).toBe(403);
  });
});
