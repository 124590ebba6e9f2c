import { readFileSync } from "node:fs";
import { ConfigurationError } from "../../core/errors.js";
import { redactUrl } from "../../core/redact.js";
import type { EnsignConfig } from "./config.js";

export const DEFAULT_ENDPOINT = "ensign.rotational.app:443";
export const DEFAULT_AUTH_URL = "https://auth.rotational.app";

/** An Ensign API key: client id and secret. */
export interface ClientCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

/** Where to connect and who to be, with config > credentials file > environment > defaults. */
export interface ConnectionSettings {
  readonly endpoint: string;
  readonly insecure: boolean;
  readonly authUrl: string;
  readonly credentials: ClientCredentials;
}

type Env = Readonly<Record<string, string | undefined>>;

export function resolveConnectionSettings(config: EnsignConfig, env: Env = process.env): ConnectionSettings {
  const authUrl = (config.authUrl ?? nonEmpty(env.ENSIGN_AUTH_URL) ?? DEFAULT_AUTH_URL).replace(/\/+$/, "");
  // No cause: Node's error would repeat the URL, credentials included, in its `input`.
  if (!URL.canParse(authUrl)) throw new ConfigurationError(`ensign: authUrl "${redactUrl(authUrl)}" is not a URL`);
  return {
    endpoint: config.endpoint ?? nonEmpty(env.ENSIGN_ENDPOINT) ?? DEFAULT_ENDPOINT,
    insecure: config.insecure ?? parseEnvBoolean(env.ENSIGN_INSECURE),
    authUrl,
    credentials: resolveCredentials(config, env),
  };
}

/** Arguments first, then the credentials file, then ENSIGN_CLIENT_ID / ENSIGN_CLIENT_SECRET. */
export function resolveCredentials(
  options: Pick<EnsignConfig, "clientId" | "clientSecret" | "credentialsPath">,
  env: Env = process.env,
): ClientCredentials {
  if (options.clientId !== undefined || options.clientSecret !== undefined) {
    if (!options.clientId || !options.clientSecret) {
      throw new ConfigurationError("ensign: give both clientId and clientSecret, or neither");
    }
    return { clientId: options.clientId, clientSecret: options.clientSecret };
  }
  if (options.credentialsPath !== undefined) return loadCredentialsFile(options.credentialsPath);
  const clientId = nonEmpty(env.ENSIGN_CLIENT_ID);
  const clientSecret = nonEmpty(env.ENSIGN_CLIENT_SECRET);
  if (clientId && clientSecret) return { clientId, clientSecret };
  throw new ConfigurationError(
    "ensign: no client credentials: pass clientId and clientSecret, a credentialsPath, or set ENSIGN_CLIENT_ID and ENSIGN_CLIENT_SECRET",
  );
}

/** Reads `{"ClientID": "...", "ClientSecret": "..."}`; anything else is a ConfigurationError that never echoes the file. */
export function loadCredentialsFile(path: string): ClientCredentials {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new ConfigurationError(`ensign: cannot read credentials file "${path}"`, { cause });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // The parser's message can quote the file's content, which holds the secret: keep it out.
    throw new ConfigurationError(`ensign: credentials file "${path}" is not valid JSON`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ConfigurationError(`ensign: credentials file "${path}" must hold a JSON object with ClientID and ClientSecret`);
  }
  const { ClientID: clientId, ClientSecret: clientSecret } = parsed as Record<string, unknown>;
  if (typeof clientId !== "string" || clientId === "" || typeof clientSecret !== "string" || clientSecret === "") {
    throw new ConfigurationError(
      `ensign: credentials file "${path}" must have non-empty string fields ClientID and ClientSecret`,
    );
  }
  return { clientId, clientSecret };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

function parseEnvBoolean(value: string | undefined): boolean {
  return value !== undefined && ["1", "y", "t", "yes", "true", "on"].includes(value.trim().toLowerCase());
}
