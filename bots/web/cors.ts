import type { FastifyInstance } from 'fastify';

/**
 * Lets the chat widget, embedded on another site, call the REST channel (/v1/…) from the browser. Only the origins
 * in WIDGET_ORIGINS (or any, with `*`) get CORS headers; without it, only pages served by the gateway itself (the
 * /demo page) can use the channel from a browser. No credentials are involved: the channel has no cookies.
 */
export function installWidgetCors(app: FastifyInstance, setting: string | undefined): void {
  const list = (setting ?? '').split(',').map((o) => o.trim().replace(/\/+$/, '')).filter(Boolean);
  if (list.length === 0) return;
  const any = list.includes('*');
  const allowed = new Set(list);

  app.addHook('onRequest', async (req, reply) => {
    if (!req.url.startsWith('/v1/')) return;
    const origin = req.headers.origin;
    if (!origin || (!any && !allowed.has(origin))) return;
    reply.header('access-control-allow-origin', any ? '*' : origin).header('vary', 'Origin');
    if (req.method === 'OPTIONS') {
      reply
        .header('access-control-allow-methods', 'GET, POST')
        .header('access-control-allow-headers', 'content-type, last-event-id')
        .header('access-control-max-age', '600');
      return reply.status(204).send();
    }
  });
}
