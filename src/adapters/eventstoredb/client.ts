import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import {
  EventStoreDBClient,
  type ChannelCredentialOptions,
  type Credentials,
  type DNSClusterOptions,
  type GossipClusterOptions,
  type SingleNodeOptions,
} from "@eventstore/db-client";
import { ConfigurationError } from "../../core/errors.js";
import type { EventStoreDBConfig } from "./config.js";

/** Builds the official client from a validated config. Nothing connects until the first call. */
export function createClientFromConfig(config: EventStoreDBConfig): EventStoreDBClient {
  const tls = config.tls ?? true;
  const endpoints = (config.hosts ?? [{ host: "localhost" }]).map((h) => ({ address: h.host, port: h.port ?? 2113 }));
  const common = {
    connectionName: config.connectionName,
    defaultDeadline: config.defaultDeadlineMs,
    keepAliveInterval: config.keepAliveIntervalMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
  };
  const discovery = {
    nodePreference: config.nodePreference,
    discoveryInterval: config.discoveryIntervalMs,
    maxDiscoverAttempts: config.maxDiscoverAttempts,
  };
  // Several hosts are gossip seeds, with or without +discover (the official client would keep
  // only the first for +discover); one host is a node, or with +discover a DNS name to resolve.
  const settings: SingleNodeOptions | GossipClusterOptions | DNSClusterOptions =
    endpoints.length > 1
      ? { ...common, ...discovery, endpoints }
      : config.discover
        ? { ...common, ...discovery, discover: endpoints[0]! }
        : { ...common, endpoint: endpoints[0]! };
  const channel: ChannelCredentialOptions = { insecure: !tls };
  if (tls && config.tlsCAFile) channel.rootCertificate = readPem(config.tlsCAFile, "tlsCAFile");
  if (tls && config.userCertFile && config.userKeyFile) {
    channel.userCertFile = readPem(config.userCertFile, "userCertFile");
    channel.userKeyFile = readPem(config.userKeyFile, "userKeyFile");
  }
  const credentials = credentialsOf(config);
  // The constructor is overloaded per settings shape; pick the overload explicitly.
  if ("discover" in settings) return new EventStoreDBClient(stripUndefined(settings), channel, credentials);
  if ("endpoints" in settings) return new EventStoreDBClient(stripUndefined(settings), channel, credentials);
  return new EventStoreDBClient(stripUndefined(settings), channel, credentials);
}

export function credentialsOf(config: EventStoreDBConfig): Credentials | undefined {
  return config.username !== undefined && config.password !== undefined
    ? { username: config.username, password: config.password }
    : undefined;
}

function readPem(path: string, option: string): Buffer {
  const resolved = isAbsolute(path) ? path : resolve(process.cwd(), path);
  if (!existsSync(resolved)) throw new ConfigurationError(`EventStoreDB ${option}: file not found: ${resolved}`);
  try {
    return readFileSync(resolved);
  } catch (cause) {
    throw new ConfigurationError(`EventStoreDB ${option}: cannot read ${resolved}`, { cause });
  }
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
