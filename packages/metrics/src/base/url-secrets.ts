/** What stands in for a secret part of a URL: the password Go's `url.URL.Redacted` writes. */
export const REDACTED_PART = 'xxxxx';

/** Query parameters whose values are credentials by their name (`?token=`, `?api_key=`, `?sig=`). */
const SECRET_PARAM =
  /^(?:.*(?:token|secret|passw(?:or)?d|passwd|api[-_]?key|apikey|access[-_]?key|auth|credential|signature)s?|key|sig|code|pw|pwd)$/i;
/**
 * Path segments that are credentials by their shape: long runs of letters and digits mixed, such as
 * the last part of a Slack or Discord webhook (`/services/T0/B0/XXXXXXXXXXXXXXXXXXXXXXXX`) or a
 * healthchecks.io ping UUID.
 */
const SECRET_SEGMENT = /^(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[\w-]{20,}$/;
/** URLs inside free text: a scheme, `://`, then up to a space, a quote or a bracket. */
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi;

/**
 * The URL as it may be shown (errors, logs, history, APIs): a password becomes `xxxxx` as Go's
 * `url.URL.Redacted` writes it (Prometheus and Alertmanager show URLs that way), and so do the
 * values of credential-named query parameters and credential-shaped path segments. Not a URL:
 * returned unchanged.
 */
export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url;
  }
  if (u.password !== '') u.password = REDACTED_PART;
  if (u.pathname.length > 1) {
    u.pathname = u.pathname
      .split('/')
      .map((segment) => (SECRET_SEGMENT.test(segment) ? REDACTED_PART : segment))
      .join('/');
  }
  const params = u.searchParams;
  let secret = false;
  for (const name of params.keys()) if (SECRET_PARAM.test(name)) secret = true;
  if (secret) {
    for (const [name] of [...params]) if (SECRET_PARAM.test(name)) params.set(name, REDACTED_PART);
  }
  return u.href;
}

/** Every URL inside `text` redacted as `redactUrl` does: for error messages that quote a URL. */
export function redactUrls(text: string): string {
  return text.replace(URL_IN_TEXT, (found) => {
    // A sentence's closing punctuation is not part of the URL.
    const tail = /[.,;:)\]]+$/.exec(found)?.[0] ?? '';
    return redactUrl(found.slice(0, found.length - tail.length)) + tail;
  });
}

/**
 * A URL's user information as HTTP basic authentication, as Go's HTTP client (and so Prometheus and
 * Alertmanager) sends it: fetch refuses a URL that carries credentials. Returns the URL without them
 * and the `Authorization` header value, if there were any.
 */
export function urlCredentials(url: string): { readonly url: string; readonly authorization?: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { url };
  }
  if (u.username === '' && u.password === '') return { url };
  const user = decodeURIComponent(u.username);
  const password = decodeURIComponent(u.password);
  u.username = '';
  u.password = '';
  return { url: u.href, authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}
