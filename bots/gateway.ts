import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Config } from '../core/config.js';
import type { Logger } from '../core/logger.js';
import type { Store } from '../core/store/index.js';
import type { Dispatcher } from './dispatch.js';
import { installErrorHandling } from './http-errors.js';
import { installRequestMetrics, registerMetricsRoute } from './metrics-route.js';
import { installWidgetCors } from './web/cors.js';
import { registerWebRoutes } from './web/routes.js';

export interface GatewayDeps {
  config: Pick<Config, 'MAX_BODY_BYTES' | 'MAX_MESSAGE_CHARS'>;
  logger: Logger;
  store: Store;
  dispatcher: Dispatcher;
  /** Reports whether Temporal answers, for /healthz. */
  temporalHealthy: () => Promise<boolean>;
  /** Inbound endpoints of further channels (Teams), mounted after the REST channel. */
  routes?: ((app: FastifyInstance) => void)[];
  /** Sites whose pages may call the REST channel (the embedded chat widget): WIDGET_ORIGINS. */
  widgetOrigins?: string;
  /** Serves Prometheus `/metrics`; a token requires `Authorization: Bearer <token>`. */
  metrics?: { token?: string };
}

/** The HTTP gateway: every channel's inbound endpoint, health, and (later) the console, on one Fastify server. */
export async function buildGateway(deps: GatewayDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.config.MAX_BODY_BYTES,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    },
    requestIdHeader: false,
  });
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  installErrorHandling(app);
  installRequestMetrics(app);
  installWidgetCors(app, deps.widgetOrigins);
  if (deps.metrics) registerMetricsRoute(app, { store: deps.store, token: deps.metrics.token });

  app.get('/healthz', async (_req, reply) => {
    const [database, temporal] = await Promise.all([
      deps.store.db.ping().catch(() => false),
      deps.temporalHealthy().catch(() => false),
    ]);
    const ok = database && temporal;
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', database, temporal });
  });

  registerWebRoutes(app, { store: deps.store, dispatcher: deps.dispatcher, maxMessageChars: deps.config.MAX_MESSAGE_CHARS });
  for (const register of deps.routes ?? []) register(app);
  return app;
}
