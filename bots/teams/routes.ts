import type { CloudAdapter, TurnContext } from 'botbuilder';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../http-errors.js';
import { processBotRequest } from './fastify-bridge.js';

export interface TeamsRouteDeps {
  adapter: CloudAdapter;
  handler: (context: TurnContext) => Promise<void>;
  /** False in production without a Microsoft app id: unauthenticated activities must not be accepted there. */
  enabled: boolean;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The Bot Framework messaging endpoint. Authentication (the Bot Framework JWT, checked against the configured app
 * id) is the adapter's job and happens before any of our logic runs, so a rejected request stores nothing.
 */
export function registerTeamsRoutes(app: FastifyInstance, deps: TeamsRouteDeps): void {
  app.post('/api/messages', async (req, reply) => {
    if (!deps.enabled) {
      throw new HttpError(503, 'teams_not_configured', 'Teams is not configured: set MicrosoftAppId and MicrosoftAppPassword');
    }
    if (!isRecord(req.body) || typeof req.body.type !== 'string') {
      throw new HttpError(400, 'invalid_request', 'The body must be a Bot Framework activity (a JSON object with a type)');
    }

    let failure: unknown;
    const out = await processBotRequest(deps.adapter, req, async (context) => {
      try {
        await deps.handler(context);
      } catch (err) {
        failure = err;
        throw err;
      }
    });

    if (out.status === 401 || out.status === 403) {
      req.log.warn({ status: out.status }, 'teams activity rejected: missing or invalid Bot Framework token');
      throw new HttpError(401, 'unauthorized', 'A valid Bot Framework token is required');
    }
    if (out.status === 501) {
      // An invoke activity (Action.Execute, message extensions, sign-in) the bot does not offer: the adapter's answer.
      req.log.debug({ type: req.body.type, name: req.body.name }, 'teams invoke not supported');
      throw new HttpError(501, 'not_implemented', 'This bot does not handle this kind of activity');
    }
    if (out.status >= 500) {
      // Bot Framework retries on 5xx; the message may have been stored already, and de-duplication absorbs the repeat.
      req.log.error({ err: failure ?? out.body }, 'teams activity failed');
      throw new HttpError(503, 'unavailable', 'The activity could not be processed; retry later');
    }
    if (out.status >= 400) throw new HttpError(out.status, 'invalid_request', typeof out.body === 'string' ? out.body : 'Invalid activity');
    for (const [name, value] of Object.entries(out.headers)) reply.header(name, value);
    // Invoke activities carry a body; messages and conversation updates are acknowledged with an empty 200.
    return out.body === undefined ? reply.status(out.status).send() : reply.status(out.status).send(out.body);
  });
}
