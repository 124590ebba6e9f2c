import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigurationError } from "../../src/core/errors.js";
import { redactUrl } from "../../src/core/redact.js";
import { safeCause, withoutSecrets } from "../../src/core/safe-cause.js";
import { secretsIn } from "../../src/core/secrets.js";

const SECRET = "S3cretPW";
const printed = (error: unknown) => inspect(error, { depth: Infinity, showHidden: true });

describe("safe causes", () => {
  it("a Node URL error keeps its name and code, not its input", () => {
    let urlError: unknown;
    try {
      new URL(`esdb://admin:${SECRET}@h1:2113,h2:2113`);
    } catch (error) {
      urlError = error;
    }
    expect(printed(urlError)).toContain(SECRET);
    const safe = safeCause(urlError, [SECRET])!;
    expect(safe).toMatchObject({ name: "TypeError", code: "ERR_INVALID_URL", message: "Invalid URL" });
    expect(printed(safe)).not.toContain(SECRET);
  });

  it("a zod error's issues and received values are dropped, its message masked", () => {
    const result = z.object({ password: z.literal("x") }).safeParse({ password: SECRET }, { reportInput: true });
    expect(printed(result.error)).toContain(SECRET);
    const safe = safeCause(result.error, [SECRET])!;
    expect(printed(safe)).not.toContain(SECRET);
    expect(safe).not.toHaveProperty("issues");
  });

  it("masks the whole chain and gives no cause for a value that is not an Error", () => {
    const driver = new Error(`login as admin:${SECRET}`, { cause: Object.assign(new Error(`token=${SECRET}`), { settings: { SECRET } }) });
    expect(printed(safeCause(driver, [SECRET]))).not.toContain(SECRET);
    expect(safeCause({ password: SECRET })).toBeUndefined();
  });

  it("withoutSecrets masks our errors in place and wraps anything else as a ConfigurationError", () => {
    const ours = new ConfigurationError(`bad ${SECRET}`, { cause: new Error(SECRET) });
    expect(withoutSecrets(ours, [SECRET], "ctx")).toBe(ours);
    expect(printed(ours)).not.toContain(SECRET);
    const theirs = withoutSecrets(new RangeError(`bad ${SECRET}`), [SECRET], "Invalid connection settings");
    expect(theirs).toBeInstanceOf(ConfigurationError);
    expect(theirs.message).toBe("Invalid connection settings: bad ***");
    expect(printed(theirs)).not.toContain(SECRET);
  });

  it("finds the secrets of URLs no parser accepts and of config objects, in every encoding", () => {
    expect(secretsIn(`esdb://admin:p%40ss@h1,h2?tls=true&password=${SECRET}`)).toEqual(expect.arrayContaining(["p%40ss", "p@ss", SECRET]));
    expect(secretsIn({ backend: "ensign", clientSecret: "a b", authUrl: `http://u:${SECRET}@h` })).toEqual(
      expect.arrayContaining(["a b", "a%20b", SECRET]),
    );
    expect(secretsIn({ backend: "memory" })).toEqual([]);
  });

  it("redactUrl masks host lists and other unparsable URLs by shape", () => {
    expect(redactUrl(`esdb://admin:${SECRET}@h1:2113,h2:2113?tls=true`)).toBe("esdb://admin:***@h1:2113,h2:2113?tls=true");
    expect(redactUrl(`esdb://admin:p@ss/${SECRET}@h1,h2`)).toBe("esdb://admin:***@h1,h2");
    expect(redactUrl(`esdb://h1,h2?tls=true&password=${SECRET}`)).toBe("esdb://h1,h2?tls=true&password=***");
  });
});
