import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ConsoleRole, ConsoleSession } from '../../core/store/console.js';
import type { Store } from '../../core/store/index.js';
import { HttpError } from '../http-errors.js';
import { clearedSessionCookie, LEGACY_COOKIE_PATH, readCookies, SESSION_COOKIE, sessionCookie } from './cookies.js';
import { createLoginThrottle } from './login-throttle.js';
import { PERMISSIONS, roleAtLeast, type Action } from './permissions.js';
import { authenticate, type ConsoleUser } from './users.js';

export interface SignedIn {
  session: ConsoleSession;
  /** The user as configured now: a role changed in CONSOLE_USERS applies to sessions already open. */
  user: { name: string; role: ConsoleRole };
}

export interface ConsoleAuthDeps {
  store: Store;
  users: ConsoleUser[];
  ttlMs: number;
  /** Cookies carry `Secure` when the console is reached over HTTPS (PUBLIC_URL or the request itself). */
  publicUrl?: string;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** 403 unless the signed-in role may do `needed` (an action of the permissions table, or a role). */
export function assertRole(signed: SignedIn, needed: Action | ConsoleRole): void {
  const permission = Object.hasOwn(PERMISSIONS, needed) ? PERMISSIONS[needed as Action] : undefined;
  const role = permission?.role ?? (needed as ConsoleRole);
  if (!roleAtLeast(signed.user.role, role)) {
    const what = permission ? `${permission.what[0]?.toUpperCase()}${permission.what.slice(1)} needs` : 'This needs';
    throw new HttpError(403, 'forbidden', `${what} the ${role} role; you are signed in as ${signed.user.role}`);
  }
}

/** Sign-in, sessions in the database, and the per-route check of role and CSRF token. */
export function createConsoleAuth(deps: ConsoleAuthDeps) {
  const { store, users } = deps;
  const throttle = createLoginThrottle();
  const secure = (req: FastifyRequest) => req.protocol === 'https' || !!deps.publicUrl?.startsWith('https:');

  // A browser may send two cookies of the name (an older one scoped to /console): the first live session counts.
  const tokens = (req: FastifyRequest) => readCookies(req.headers.cookie, SESSION_COOKIE).filter((t) => t.length > 0 && t.length <= 200).slice(0, 3);

  async function current(req: FastifyRequest): Promise<SignedIn | null> {
    for (const token of tokens(req)) {
      const session = await store.findConsoleSession(hashToken(token));
      if (!session) continue;
      const user = users.find((u) => u.name === session.username);
      if (user) return { session, user: { name: user.name, role: user.role } };
    }
    return null;
  }

  /** Changes need the session's CSRF token in `x-csrf-token`: the cookie alone is what another page could make a browser send. */
  function checkCsrf(req: FastifyRequest, signed: SignedIn): void {
    const given = req.headers['x-csrf-token'];
    if (typeof given !== 'string' || !sameSecret(given, signed.session.csrfToken)) {
      throw new HttpError(403, 'csrf_token_invalid', 'Missing or wrong x-csrf-token header');
    }
  }

  return {
    configured: users.length > 0,

    async login(req: FastifyRequest, reply: FastifyReply, name: string, password: string): Promise<SignedIn> {
      if (users.length === 0) {
        throw new HttpError(503, 'console_not_configured', 'No console users are configured: set CONSOLE_USERS (see kefu console hash-password)');
      }
      const key = `${req.ip}|${name}`;
      const wait = throttle.retryAfterMs(key);
      if (wait > 0) {
        reply.header('retry-after', Math.ceil(wait / 1000));
        throw new HttpError(429, 'too_many_attempts', 'Too many failed sign-ins; try again later');
      }
      const user = await authenticate(users, name, password);
      if (!user) {
        throttle.fail(key);
        await store.recordConsoleAudit({ username: name.slice(0, 100), action: 'login_failed', detail: { ip: req.ip } });
        throw new HttpError(401, 'invalid_credentials', 'Wrong user name or password');
      }
      throttle.succeed(key);
      const token = randomBytes(32).toString('base64url');
      const session = await store.createConsoleSession({
        tokenHash: hashToken(token),
        id: randomUUID(),
        username: user.name,
        role: user.role,
        csrfToken: randomBytes(24).toString('base64url'),
        ttlMs: deps.ttlMs,
        ip: req.ip,
        userAgent: req.headers['user-agent'],
      });
      await store.recordConsoleAudit({ username: user.name, action: 'login', detail: { ip: req.ip, session: session.id } });
      void store.purgeConsoleSessions().catch(() => undefined);
      reply.header('set-cookie', [
        sessionCookie(token, { maxAgeSeconds: deps.ttlMs / 1000, secure: secure(req) }),
        clearedSessionCookie(secure(req), LEGACY_COOKIE_PATH),
      ]);
      return { session, user: { name: user.name, role: user.role } };
    },

    async logout(req: FastifyRequest, reply: FastifyReply): Promise<void> {
      for (const token of tokens(req)) await store.revokeConsoleSessionByToken(hashToken(token));
      reply.header('set-cookie', [clearedSessionCookie(secure(req)), clearedSessionCookie(secure(req), LEGACY_COOKIE_PATH)]);
    },

    current,
    checkCsrf,

    /**
     * The signed-in person if their role may do `action` (bots/console/permissions.ts), or has at least the role
     * named: 401 without a live session, 403 with too small a role. Mutations also need the CSRF token.
     */
    async guard(req: FastifyRequest, needed: Action | ConsoleRole, opts: { mutation?: boolean } = {}): Promise<SignedIn> {
      const signed = await current(req);
      if (!signed) throw new HttpError(401, 'not_signed_in', 'Sign in to the console first');
      assertRole(signed, needed);
      if (opts.mutation) checkCsrf(req, signed);
      return signed;
    },
  };
}

export type ConsoleAuth = ReturnType<typeof createConsoleAuth>;
