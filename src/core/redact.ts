const SECRET_PARAMS = /^(password|pass|pwd|secret|clientsecret|client_secret|token|accesstoken|access_token|apikey|api_key)$/i;
const SECRET_PARAM_IN_TEXT =
  /([?&;](?:password|pass|pwd|secret|clientsecret|client_secret|token|accesstoken|access_token|apikey|api_key)=)[^&#\s"']*/gi;
// From "//user:" to the last "@" of the same whitespace-free run: a password may hold a raw "@" or "/".
const USERINFO_IN_TEXT = /(\/\/[^\s/?#@:]*:)\S*@/g;

/** A URL safe to print: password and secret-looking query values replaced by `***`. */
export function redactUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // Not a WHATWG URL (a host list, a typo): mask by shape instead.
    return redactUrlsIn(text);
  }
  if (url.password) url.password = "***";
  for (const key of [...url.searchParams.keys()]) {
    if (SECRET_PARAMS.test(key)) url.searchParams.set(key, "***");
  }
  // A raw "@" or "/" in a password parses as host and path; masking by shape covers that too.
  return redactUrlsIn(url.toString());
}

/** Masks the password and secret query values of every URL-shaped part of free text. */
export function redactUrlsIn(text: string): string {
  return text.replace(USERINFO_IN_TEXT, "$1***@").replace(SECRET_PARAM_IN_TEXT, "$1***");
}

/** True for a query parameter or config key whose value is a secret. */
export function isSecretKey(key: string): boolean {
  return SECRET_PARAMS.test(key) || /pass(word|wd)?$|secret|token|apikey|api_key/i.test(key);
}

// Shorter secrets would mask letters all over a message; those are masked by shape only.
const MIN_LITERAL_SECRET = 3;

/** Masks URL credentials by shape and every known secret literally. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let result = redactUrlsIn(text);
  const literal = [...new Set(secrets)].filter((s) => s.length >= MIN_LITERAL_SECRET).sort((a, b) => b.length - a.length);
  for (const secret of literal) result = result.split(secret).join("***");
  return result;
}
