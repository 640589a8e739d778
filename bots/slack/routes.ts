import type { FastifyInstance } from 'fastify';
import type { GatewayReceiver } from './receiver.js';

/**
 * POST /slack/events for events, interactivity and the slash command. Registered as an encapsulated plugin whose
 * only body parser keeps the raw bytes: the signature is computed over exactly what Slack sent.
 */
export function registerSlackRoutes(app: FastifyInstance, receiver: GatewayReceiver): void {
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    scope.post('/slack/events', async (req, reply) => {
      const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const out = await receiver.handle({ rawBody, headers: req.headers });
      if (out.contentType) reply.header('content-type', out.contentType);
      return reply.status(out.status).send(out.body);
    });
  });
}
