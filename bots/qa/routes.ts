import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { QaServiceError, type QaService } from '../../activities/qa/service.js';
import { parseDuration } from '../../core/duration.js';
import type { Store } from '../../core/store/index.js';
import type { Access } from '../console/access.js';
import { HttpError } from '../http-errors.js';

export interface QaRouteDeps {
  service: QaService;
  store: Pick<Store, 'listQaAlerts' | 'qaCoverage'>;
  /**
   * Sign-in and permissions (bots/console/access.ts). Transcripts and QA notes are for the team: a console session or
   * the service token reads them (anyone, while no INBOX_TOKEN is set); disputing and deciding need a person whose
   * role allows it, and that person is who the audit trail names.
   */
  access: Access;
}

// Who disputes or decides is the signed-in person, never a name in the body; a body still naming one is refused
// (strict), so an old client cannot believe it acted as someone else.
const disputeBody = z.strictObject({ reason: z.string().trim().min(1).max(2000) });
const decisionBody = z.strictObject({ accept: z.boolean(), note: z.string().trim().max(2000).optional() });
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
  const preHandler = [async (req: FastifyRequest) => void (await deps.access.reader(req))];

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

  app.post<{ Params: { id: string } }>('/v1/qa/findings/:id/disputes', async (req, reply) => {
    const actor = await deps.access.actor(req, 'qa.dispute.open');
    const body = parse(disputeBody, req.body);
    const agent = { id: actor.id, name: actor.name };
    const dispute = await serviceCall(() => deps.service.disputeFinding({ findingId: req.params.id, agent, reason: body.reason }));
    return reply.status(201).send({ dispute });
  });

  app.post<{ Params: { id: string } }>('/v1/qa/disputes/:id/decision', async (req) => {
    const actor = await deps.access.actor(req, 'qa.dispute.decide');
    const body = parse(decisionBody, req.body);
    const lead = { id: actor.id, name: actor.name };
    return serviceCall(() => deps.service.decideDispute({ disputeId: req.params.id, lead, accept: body.accept, note: body.note, roleChecked: true }));
  });
}
