import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { QaServiceError, type QaService } from '../../activities/qa/service.js';
import { parseDuration } from '../../core/duration.js';
import type { Store } from '../../core/store/index.js';
import { HttpError } from '../http-errors.js';
import { inboxAuth } from '../inbox/auth.js';

export interface QaRouteDeps {
  service: QaService;
  store: Pick<Store, 'listQaAlerts' | 'qaCoverage'>;
  /**
   * INBOX_TOKEN: transcripts and QA notes are for the team, like the local inbox, so the same bearer token (or
   * basic-auth password) guards them. Open without it, for local development.
   */
  token?: string;
  /** A different check (the console's sign-in, say) instead of the token. */
  guard?: (req: FastifyRequest) => Promise<void>;
}

const person = z.object({ id: z.string().trim().min(1).max(200), name: z.string().trim().max(200).optional() });
const disputeBody = z.object({ agent: person, reason: z.string().trim().min(1).max(2000) });
const decisionBody = z.object({ lead: person, accept: z.boolean(), note: z.string().trim().max(2000).optional() });
const alertsQuery = z.object({
  kind: z.enum(['alert', 'dispute', 'decision', 'report']).optional(),
  result: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});
const coverageQuery = z.object({ since: z.string().max(20).default('7d') });

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value ?? {});
  if (!r.success) {
    const first = r.error.issues[0];
    throw new HttpError(400, 'invalid_request', `${first?.path.length ? `${first.path.join('.')}: ` : ''}${first?.message ?? 'invalid request'}`);
  }
  return r.data;
}

const STATUS: Record<QaServiceError['code'], number> = { not_found: 404, conflict: 409, forbidden: 403, invalid: 400 };

async function serviceCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof QaServiceError) throw new HttpError(STATUS[err.code], err.code, err.message);
    throw err;
  }
}

/**
 * QA's JSON endpoints: the transcript behind an alert's link, the local QA inbox, coverage, and disputes of findings
 * with the QA lead's decision (the same service the Slack buttons call).
 */
export function registerQaRoutes(app: FastifyInstance, deps: QaRouteDeps): void {
  const tokenGuard = async (req: FastifyRequest) => {
    if (!inboxAuth(deps.token, req.headers.authorization).ok) throw new HttpError(401, 'unauthorized', 'INBOX_TOKEN required (bearer token or basic-auth password)');
  };
  const preHandler = [deps.guard ?? tokenGuard];

  app.get<{ Params: { id: string } }>('/v1/qa/results/:id', { preHandler }, async (req) =>
    serviceCall(() => deps.service.resultDetail(req.params.id)));

  app.get<{ Querystring: Record<string, string> }>('/v1/qa/alerts', { preHandler }, async (req) => {
    const q = parse(alertsQuery, req.query);
    return { alerts: await deps.store.listQaAlerts({ kind: q.kind, resultId: q.result, limit: q.limit }) };
  });

  app.get<{ Querystring: Record<string, string> }>('/v1/qa/coverage', { preHandler }, async (req) => {
    const q = parse(coverageQuery, req.query);
    let ms: number;
    try {
      ms = parseDuration(q.since);
    } catch (err) {
      throw new HttpError(400, 'invalid_request', `since: ${(err as Error).message}`);
    }
    const until = new Date();
    return { coverage: await deps.store.qaCoverage({ since: new Date(until.getTime() - ms).toISOString(), until: until.toISOString() }) };
  });

  app.post<{ Params: { id: string } }>('/v1/qa/findings/:id/disputes', { preHandler }, async (req, reply) => {
    const body = parse(disputeBody, req.body);
    const dispute = await serviceCall(() => deps.service.disputeFinding({ findingId: req.params.id, agent: body.agent, reason: body.reason }));
    return reply.status(201).send({ dispute });
  });

  app.post<{ Params: { id: string } }>('/v1/qa/disputes/:id/decision', { preHandler }, async (req) => {
    const body = parse(decisionBody, req.body);
    return serviceCall(() => deps.service.decideDispute({ disputeId: req.params.id, lead: body.lead, accept: body.accept, note: body.note }));
  });
}
