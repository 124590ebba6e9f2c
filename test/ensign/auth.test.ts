import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthClient, Ensign, TopicsApi, TopicCache } from "../../src/adapters/ensign/index.js";
import { EnsignConnection } from "../../src/adapters/ensign/connection.js";
import { startEnsignServer, type EnsignServer } from "../../src/servers/ensign/index.js";

// One clock for the server and the client, so token expiry is tested without waiting.
let serverNow = Date.now();
let server: EnsignServer;

beforeAll(async () => {
  server = await startEnsignServer({ accessTtlSeconds: 100, refreshTtlSeconds: 200, refreshOverlapSeconds: 10, now: () => serverNow });
});
afterAll(async () => {
  await server.close();
});

function authClient(clock: () => number, secret = server.clientSecret): AuthClient {
  return new AuthClient({ authUrl: server.authUrl, credentials: { clientId: server.clientId, clientSecret: secret }, now: clock });
}

async function errorOf(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error("expected an error");
}

function claims(token: string): Record<string, number> {
  return JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8")) as Record<string, number>;
}

describe("Ensign authentication", () => {
  it("logs in once and reuses the access token while it is fresh", async () => {
    const start = serverNow;
    const auth = authClient(() => serverNow);
    const [a, b] = await Promise.all([auth.accessToken(), auth.accessToken()]);
    expect(a).toBe(b);
    expect(claims(a).exp).toBe(Math.floor(start / 1000) + 100);
    serverNow += 10_000;
    expect(await auth.accessToken()).toBe(a);
    expect(auth.counts).toEqual({ authenticate: 1, refresh: 0 });
  });

  it("refuses bad credentials with an AuthenticationError that holds no secret", async () => {
    const secret = "definitely-not-the-secret-0123456789";
    const error = await errorOf(authClient(() => serverNow, secret).accessToken());
    expect(error.code).toBe("AUTHENTICATION");
    expect(error.message).toMatch(/HTTP 40[13]/);
    expect(error.message).not.toContain(secret);
    expect(JSON.stringify(error)).not.toContain(secret);
  });

  it("refreshes shortly before the access token expires", async () => {
    let now = serverNow;
    const auth = authClient(() => now);
    const first = await auth.accessToken();
    now = serverNow = now + 95_000; // inside the last quarter of the lifetime and the refresh window
    const second = await auth.accessToken();
    expect(second).not.toBe(first);
    expect(auth.counts).toEqual({ authenticate: 1, refresh: 1 });
    expect(claims(second).exp!).toBeGreaterThan(claims(first).exp!);
  });

  it("logs in again when both tokens have expired", async () => {
    let now = serverNow;
    const auth = authClient(() => now);
    await auth.accessToken();
    now = serverNow = now + 300_000;
    await auth.accessToken();
    expect(auth.counts).toEqual({ authenticate: 2, refresh: 0 });
  });

  it("logs in again when the auth service refuses the refresh token", async () => {
    let clientNow = serverNow;
    const auth = authClient(() => clientNow);
    await auth.accessToken();
    // The client's clock runs ahead: it thinks the refresh window is open, the server does not.
    clientNow += 95_000;
    serverNow += 50_000;
    const token = await auth.accessToken();
    expect(auth.counts).toEqual({ authenticate: 2, refresh: 1 });
    expect(claims(token).iat).toBe(Math.floor(serverNow / 1000));
  });

  it("renews and retries once when the server says the token expired", async () => {
    let clientNow = serverNow;
    const auth = authClient(() => clientNow);
    const connection = new EnsignConnection({ endpoint: server.endpoint, insecure: true, auth });
    try {
      const topics = new TopicsApi(connection, new TopicCache());
      await topics.listPage();
      serverNow += 250_000; // the server now sees both tokens as expired; the client does not know
      const page = await topics.listPage();
      expect(page.nextPageToken).toBe("");
      expect(auth.counts.authenticate).toBe(2);
      clientNow = serverNow;
    } finally {
      connection.close();
    }
  });

  it("Status needs no credentials; other RPCs fail with a typed error without the secret", async () => {
    const secret = "wrong-secret-abcdefghijklmnop";
    const client = new Ensign({ endpoint: server.endpoint, insecure: true, authUrl: server.authUrl, clientId: server.clientId, clientSecret: secret });
    try {
      expect((await client.topics.status()).status).toBe("HEALTHY");
      const error = await errorOf(client.topics.listPage());
      expect(error.code).toBe("AUTHENTICATION");
      expect(error.message).not.toContain(secret);
    } finally {
      await client.close();
    }
  });

  it("an unreachable auth service is a ConnectionError", async () => {
    const auth = new AuthClient({ authUrl: "http://127.0.0.1:1", credentials: { clientId: "x", clientSecret: "y" } });
    expect((await errorOf(auth.accessToken())).code).toBe("CONNECTION");
  });
});
