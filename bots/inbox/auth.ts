import { timingSafeEqual } from 'node:crypto';

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * With INBOX_TOKEN set, the inbox wants it as a bearer token or as the basic-auth password (the browser asks; the
 * user name becomes the agent's name). Without it the inbox is open, for local development.
 */
export function inboxAuth(token: string | undefined, authorization: string | undefined): { ok: boolean; agentName?: string } {
  if (!token) return { ok: true };
  if (!authorization) return { ok: false };
  const [scheme, value = ''] = authorization.split(' ');
  if (scheme?.toLowerCase() === 'bearer') return { ok: same(value, token) };
  if (scheme?.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return { ok: false };
    const user = decoded.slice(0, colon).trim();
    return same(decoded.slice(colon + 1), token) ? { ok: true, ...(user ? { agentName: user } : {}) } : { ok: false };
  }
  return { ok: false };
}
