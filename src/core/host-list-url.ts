/** One `host[:port]` of a host list; `host` as a URL would give it (IPv6 in brackets). */
export interface ListedHost {
  readonly host: string;
  readonly port?: number;
}

export interface HostListUrl {
  /** The text with only its first host, as a WHATWG URL: credentials, path and query as given. */
  readonly url: URL;
  readonly hosts: readonly ListedHost[];
}

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*:)\/\/(.*)$/s;

/**
 * Parses `scheme://[user[:password]@]host[:port][,host[:port]…][/path][?query]`. A WHATWG URL
 * holds one host, but database clusters are named by a comma-separated host list
 * (EventStoreDB's gossip seeds, libpq's hosts). Gives undefined when the text is not of that
 * shape; never throws, so no parser error can repeat the text (and any password in it).
 */
export function parseHostListUrl(text: string): HostListUrl | undefined {
  const match = SCHEME.exec(text.trim());
  if (!match) return undefined;
  const [, scheme, rest] = match as unknown as [string, string, string];
  // As in WHATWG URLs: the authority ends at the first "/", "?" or "#"; credentials at its last "@".
  const authorityEnd = rest.search(/[/?#]/);
  const authority = authorityEnd < 0 ? rest : rest.slice(0, authorityEnd);
  const tail = authorityEnd < 0 ? "" : rest.slice(authorityEnd);
  const at = authority.lastIndexOf("@");
  const userinfo = at < 0 ? "" : authority.slice(0, at + 1);
  const hosts: ListedHost[] = [];
  for (const part of authority.slice(at + 1).split(",")) {
    const host = parseHost(scheme, part);
    if (!host) return undefined;
    hosts.push(host);
  }
  const url = tryUrl(`${scheme}//${userinfo}${authority.slice(at + 1).split(",")[0]!}${tail}`);
  return url ? { url, hosts } : undefined;
}

function parseHost(scheme: string, text: string): ListedHost | undefined {
  if (text === "") return undefined;
  const url = tryUrl(`${scheme}//${text}`);
  if (!url || url.hostname === "" || url.username !== "" || url.password !== "") return undefined;
  if (url.pathname !== "" && url.pathname !== "/") return undefined;
  return url.port === "" ? { host: url.hostname } : { host: url.hostname, port: Number(url.port) };
}

function tryUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}
