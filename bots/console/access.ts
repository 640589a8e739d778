import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { ConsoleRole } from '../../core/store/console.js';
import { HttpError } from '../http-errors.js';
import { assertRole, type ConsoleAuth, type SignedIn } from './auth.js';
import { PERMISSIONS, type Action } from './permissions.js';

/** Who did something, as audit trails record it: a signed-in person, or the service credential. */
export type Actor =
  | { kind: 'person'; id: string; name: string; role: ConsoleRole; sessionId: string }
  | { kind: 'service'; id: 'service'; name: 'service' };

export const SERVICE_ACTOR: Actor = { kind: 'service', id: 'service', name: 'service' };

/**
 * A person's id wherever the platform records who acted: the local desk's agent id, so one console user is the same
 * person in the inbox's handoffs and messages, in QA findings (and so may dispute their own) and in audit rows.
 */
export const personId = (name: string) => `inbox:${name.toLowerCase()}`;

const person = (signed: SignedIn): Actor => ({
  kind: 'person',
  id: personId(signed.user.name),
  name: signed.user.name,
  role: signed.user.role,
  sessionId: signed.session.id,
});

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The service credential: INBOX_TOKEN as a bearer token, or as the basic-auth password (the user name is ignored: it
 * is whatever the caller typed, not an identity).
 */
function serviceCredential(token: string | undefined, authorization: string | undefined): 'none' | 'valid' | 'invalid' {
  if (!authorization) return 'none';
  if (!token) return 'invalid';
  const [scheme, value = ''] = authorization.split(' ');
  if (scheme?.toLowerCase() === 'bearer') return same(value, token) ? 'valid' : 'invalid';
  if (scheme?.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 && same(decoded.slice(colon + 1), token) ? 'valid' : 'invalid';
  }
  return 'invalid';
}

/**
 * The one check in front of every route people and services use (channel webhooks aside): a console session whose
 * role may do the action (with its CSRF token), or the service credential where the permissions table allows it.
 * The actor always comes from here, never from the request body.
 */
export function createAccess(deps: { auth: ConsoleAuth; serviceToken?: string }) {
  const { auth } = deps;

  return {
    auth,

    /** Who may do `action` now: 401 with no session and no service credential, 403 when they may not. */
    async actor(req: FastifyRequest, action: Action): Promise<Actor> {
      const signed = await auth.current(req);
      if (signed) {
        assertRole(signed, action);
        auth.checkCsrf(req, signed);
        return person(signed);
      }
      const credential = serviceCredential(deps.serviceToken, req.headers.authorization);
      if (credential === 'valid') {
        const permission = PERMISSIONS[action];
        if (!permission.service) {
          throw new HttpError(403, 'forbidden', `The service token may not do this (${permission.what}): a person signs in to the console for it`);
        }
        return SERVICE_ACTOR;
      }
      throw new HttpError(401, 'not_signed_in', credential === 'invalid' ? 'Wrong service token' : 'Sign in to the console first (or send the service token)');
    },

    /**
     * Reads (transcripts, the inbox, QA results, risk escalations): a signed-in person, the service credential, or —
     * only while no INBOX_TOKEN is configured, for local development as before — anyone (null).
     */
    async reader(req: FastifyRequest): Promise<Actor | null> {
      const signed = await auth.current(req);
      if (signed) {
        assertRole(signed, 'team.read');
        return person(signed);
      }
      const credential = serviceCredential(deps.serviceToken, req.headers.authorization);
      if (credential === 'valid') return SERVICE_ACTOR;
      if (!deps.serviceToken) return null;
      throw new HttpError(401, 'not_signed_in', credential === 'invalid' ? 'Wrong service token' : 'Sign in to the console first (or send INBOX_TOKEN)');
    },
  };
}

export type Access = ReturnType<typeof createAccess>;
