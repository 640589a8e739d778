import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Store } from '../../core/store/index.js';
import type { RiskAction } from '../../workflows/risk-types.js';
import type { Access } from '../console/access.js';
import type { Action } from '../console/permissions.js';
import { HttpError } from '../http-errors.js';
import type { RiskEscalationClient } from './escalations.js';

export interface RiskRouteDeps {
  store: Store;
  escalations: Pick<RiskEscalationClient, 'perform'>;
  /** Sign-in and permissions (bots/console/access.ts): who acts is the signed-in person or the service, never the body. */
  access: Access;
}

const ACTIONS: Record<string, { action: RiskAction; permission: Action }> = {
  ack: { action: 'acknowledge', permission: 'risk.acknowledge' },
  takeover: { action: 'take_over', permission: 'risk.take_over' },
  'false-positive': { action: 'false_positive', permission: 'risk.false_positive' },
};

// Strict: a body still naming an actor is refused rather than silently acted on under another name.
const actionBody = z.strictObject({ note: z.string().trim().max(2000).optional() });

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
  const preHandler = [async (req: FastifyRequest) => void (await deps.access.reader(req))];

  app.get<{ Querystring: Record<string, string> }>('/v1/risk/escalations', { preHandler }, async (req) => {
    const q = parse(listQuery, req.query);
    return { escalations: await deps.store.listRiskEscalations({ status: q.status, conversationKey: q.conversation, limit: q.limit }) };
  });

  app.get<{ Params: { id: string } }>('/v1/risk/escalations/:id', { preHandler }, async (req) => {
    const escalation = await deps.store.getRiskEscalation(req.params.id);
    if (!escalation) throw new HttpError(404, 'not_found', `no risk escalation ${req.params.id}`);
    return { escalation, events: await deps.store.listRiskEscalationEvents(escalation.id) };
  });

  app.post<{ Params: { id: string; action: string } }>('/v1/risk/escalations/:id/:action', async (req, reply) => {
    const known = Object.hasOwn(ACTIONS, req.params.action) ? ACTIONS[req.params.action] : undefined;
    if (!known) throw new HttpError(404, 'not_found', `unknown action ${req.params.action} (ack, takeover, false-positive)`);
    const actor = await deps.access.actor(req, known.permission);
    const body = parse(actionBody, req.body);
    const outcome = await deps.escalations.perform(known.action, {
      escalationId: req.params.id,
      actor: actor.id,
      ...(actor.kind === 'person' ? { actorName: actor.name } : {}),
      via: actor.kind === 'person' ? 'console' : 'api',
      ...(body.note ? { note: body.note } : {}),
    });
    if (outcome.ok) return reply.send({ escalation: outcome.escalation });
    throw new HttpError(outcome.reason === 'not_found' ? 404 : 409, outcome.reason, outcome.message);
  });
}
