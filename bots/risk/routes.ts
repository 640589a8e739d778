import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Store } from '../../core/store/index.js';
import type { RiskAction } from '../../workflows/risk-types.js';
import { HttpError } from '../http-errors.js';
import type { RiskEscalationClient } from './escalations.js';

export interface RiskRouteDeps {
  store: Store;
  escalations: Pick<RiskEscalationClient, 'perform'>;
}

const ACTIONS: Record<string, RiskAction> = { ack: 'acknowledge', takeover: 'take_over', 'false-positive': 'false_positive' };

const actionBody = z.object({
  /** Who acts: the console login (the console's auth fills this in once it guards these routes). */
  actor: z.string().trim().min(1).max(200),
  actorName: z.string().trim().min(1).max(200).optional(),
  note: z.string().trim().max(2000).optional(),
});

const listQuery = z.object({
  status: z.enum(['active', 'open', 'acknowledged', 'taken_over', 'false_positive', 'resolved']).optional(),
  conversation: z.string().max(300).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value ?? {});
  if (!r.success) {
    const first = r.error.issues[0];
    throw new HttpError(400, 'invalid_request', `${first?.path.length ? `${first.path.join('.')}: ` : ''}${first?.message ?? 'invalid request'}`);
  }
  return r.data;
}

/**
 * The local inbox and console side of risk escalations: list and inspect them (with their audit trail), and
 * acknowledge / take over / mark as false positive — the same workflow updates the Slack buttons send.
 */
export function registerRiskRoutes(app: FastifyInstance, deps: RiskRouteDeps): void {
  app.get<{ Querystring: Record<string, string> }>('/v1/risk/escalations', async (req) => {
    const q = parse(listQuery, req.query);
    return { escalations: await deps.store.listRiskEscalations({ status: q.status, conversationKey: q.conversation, limit: q.limit }) };
  });

  app.get<{ Params: { id: string } }>('/v1/risk/escalations/:id', async (req) => {
    const escalation = await deps.store.getRiskEscalation(req.params.id);
    if (!escalation) throw new HttpError(404, 'not_found', `no risk escalation ${req.params.id}`);
    return { escalation, events: await deps.store.listRiskEscalationEvents(escalation.id) };
  });

  app.post<{ Params: { id: string; action: string } }>('/v1/risk/escalations/:id/:action', async (req, reply) => {
    const action = ACTIONS[req.params.action];
    if (!action) throw new HttpError(404, 'not_found', `unknown action ${req.params.action} (ack, takeover, false-positive)`);
    const body = parse(actionBody, req.body);
    const outcome = await deps.escalations.perform(action, { escalationId: req.params.id, via: 'console', ...body });
    if (outcome.ok) return reply.send({ escalation: outcome.escalation });
    throw new HttpError(outcome.reason === 'not_found' ? 404 : 409, outcome.reason, outcome.message);
  });
}
