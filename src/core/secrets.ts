import { isSecretKey } from "./redact.js";

const MAX_DEPTH = 4;

/**
 * The secrets a connection target holds — a URL's password and secret query values, a config
 * object's password/secret/token fields (and those of URLs inside it) — each as given and
 * percent-decoded/encoded, so an error built from the target can be checked for all of them.
 */
export function secretsIn(target: unknown): string[] {
  const found = new Set<string>();
  collect(target, found, 0);
  return [...found].filter((s) => s !== "");
}

function collect(value: unknown, found: Set<string>, depth: number): void {
  if (depth > MAX_DEPTH) return;
  if (typeof value === "string" || value instanceof URL) {
    for (const secret of secretsInUrlText(String(value))) addForms(secret, found);
    return;
  }
  if (typeof value !== "object" || value === null) return;
  for (const [key, field] of Object.entries(value)) {
    if (typeof field === "string" && isSecretKey(key)) addForms(field, found);
    collect(field, found, depth + 1);
  }
}

/** Read by shape, not with `new URL`, so that text no URL parser accepts is covered too. */
function secretsInUrlText(text: string): string[] {
  const secrets: string[] = [];
  const schemeEnd = text.indexOf("://");
  if (schemeEnd >= 0) {
    const rest = text.slice(schemeEnd + 3);
    const at = rest.lastIndexOf("@");
    const colon = rest.indexOf(":");
    if (at >= 0 && colon >= 0 && colon < at) secrets.push(rest.slice(colon + 1, at));
  }
  const query = text.indexOf("?");
  if (query >= 0) {
    for (const pair of text.slice(query + 1).split(/[&;#]/)) {
      const eq = pair.indexOf("=");
      if (eq > 0 && isSecretKey(pair.slice(0, eq))) secrets.push(pair.slice(eq + 1));
    }
  }
  return secrets;
}

function addForms(secret: string, found: Set<string>): void {
  found.add(secret);
  found.add(encodeURIComponent(secret));
  try {
    found.add(decodeURIComponent(secret.replace(/\+/g, " ")));
    found.add(decodeURIComponent(secret));
  } catch {
    // Not valid percent-encoding: the raw form is the only one that can appear.
  }
}
