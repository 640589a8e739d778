import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { metrics } from '../core/metrics.js';
import { METRICS_CONTENT_TYPE, renderMetrics } from '../core/metrics-exposition.js';
import type { Store } from '../core/store/index.js';
import { HttpError } from './http-errors.js';

export interface MetricsRouteOptions {
  store: Store;
  /** When set, a scrape must send `Authorization: Bearer <token>`. */
  token?: string;
}

const STATUSES = ['bot', 'waiting_agent', 'with_agent'];
const SEVERITIES = ['low', 'medium', 'high', 'critical'];

/** Sets the state gauges from the database; a slow or failing database costs the gauges, not the scrape. */
async function refreshStateGauges(store: Store): Promise<void> {
  const state = await Promise.race([
    store.metricsStateGauges(),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('state query timed out')), 2000).unref()),
  ]);
  for (const status of STATUSES) metrics.openConversations.set({ status }, state.conversations[status] ?? 0);
  if (state.handoffQueue) {
    metrics.handoffQueue.reset();
    for (const [queue, n] of Object.entries(state.handoffQueue)) metrics.handoffQueue.set({ queue }, n);
  }
  if (state.riskOpen) for (const severity of SEVERITIES) metrics.openRiskEscalations.set({ severity }, state.riskOpen[severity] ?? 0);
}

function authorised(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7) : '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Prometheus scrape endpoint of a gateway process (the worker-only process has its own, cli/runtime/metrics-server.ts). */
export function registerMetricsRoute(app: FastifyInstance, opts: MetricsRouteOptions): void {
  app.get('/metrics', async (req, reply) => {
    if (opts.token && !authorised(req.headers.authorization, opts.token)) {
      throw new HttpError(401, 'unauthorized', 'Send the metrics token as Authorization: Bearer <token>');
    }
    await refreshStateGauges(opts.store).catch((err) => req.log.warn({ err }, 'metrics state gauges not refreshed'));
    return reply.header('content-type', METRICS_CONTENT_TYPE).header('cache-control', 'no-store').send(await renderMetrics());
  });
}

/** Times every request by its route pattern (never the raw URL, which would make one series per conversation). */
export function installRequestMetrics(app: FastifyInstance): void {
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.observe({ route, method: req.method, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
}
