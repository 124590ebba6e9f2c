const SECRET_PARAMS = /^(password|pass|pwd|secret|clientsecret|client_secret|token|accesstoken|access_token|apikey|api_key)$/i;

/** A URL safe to print: password and secret-looking query values replaced by `***`. */
export function redactUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // Not a URL: hide anything between "://" and "@" which may hold credentials.
    return text.replace(/(\/\/[^/@\s]*:)[^/@\s]*@/, "$1***@");
  }
  if (url.password) url.password = "***";
  for (const key of [...url.searchParams.keys()]) {
    if (SECRET_PARAMS.test(key)) url.searchParams.set(key, "***");
  }
  return url.toString();
}
