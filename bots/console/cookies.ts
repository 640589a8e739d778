/**
 * The session cookie: HttpOnly (no script reads it), SameSite=Strict (no other site sends it). Its path is the whole
 * gateway, so the one sign-in also reaches the local inbox (/inbox/api) and the QA and risk routes (/v1/qa, /v1/risk);
 * changes still need the session's CSRF token in a header, which only the gateway's own pages can read.
 */
export const SESSION_COOKIE = 'kefu_console';

/** Every value of a cookie: a browser sends two of the same name when an older one has a narrower path. */
export function readCookies(header: string | undefined, name: string): string[] {
  if (!header) return [];
  const values: string[] = [];
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) {
      try {
        values.push(decodeURIComponent(part.slice(i + 1).trim()));
      } catch {
        // A malformed value is nobody's session.
      }
    }
  }
  return values;
}

const attributes = (path: string, secure: boolean) => [`Path=${path}`, 'HttpOnly', 'SameSite=Strict', ...(secure ? ['Secure'] : [])];

export function sessionCookie(token: string, opts: { maxAgeSeconds: number; secure: boolean }): string {
  const [path, ...rest] = attributes('/', opts.secure);
  return [`${SESSION_COOKIE}=${encodeURIComponent(token)}`, path, `Max-Age=${Math.floor(opts.maxAgeSeconds)}`, ...rest].join('; ');
}

/** Where earlier versions scoped the cookie; the browser would otherwise keep sending that one to the console first. */
export const LEGACY_COOKIE_PATH = '/console';

/** A cookie that ends the session cookie at `path` in the browser. */
export function clearedSessionCookie(secure: boolean, path = '/'): string {
  const [p, ...rest] = attributes(path, secure);
  return [`${SESSION_COOKIE}=`, p, 'Max-Age=0', ...rest].join('; ');
}
