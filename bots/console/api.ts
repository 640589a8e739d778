import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { FilterUnavailableError } from '../../core/store/conversation-search.js';
import type { Store } from '../../core/store/index.js';
import { HttpError } from '../http-errors.js';
import { personId, type Access } from './access.js';
import type { SignedIn } from './auth.js';
import { allowed, PERMISSIONS, type Action } from './permissions.js';
import { isPeriodName, periodEndingNow, PERIODS } from './periods.js';
import { workflowUrl } from './temporal-links.js';

export interface ConsoleApiDeps {
  store: Store;
  /** Sessions and the permissions table; changes go through `access.actor` like every other route's. */
  access: Access;
  /** A handoff waiting longer than this breaches the service level (the supervisor escalation threshold). */
  slaMs: number;
  temporal: { uiUrl?: string; namespace: string };
  /** Asks a conversation's workflow to close; false when no workflow is running for it. */
  closeConversation?: (key: string, reason: string) => Promise<boolean>;
}

const loginSchema = z.strictObject({ username: z.string().min(1).max(100), password: z.string().min(1).max(500) });

const searchSchema = z.object({
  customer: z.string().trim().max(200).optional().transform((v) => v || undefined),
  channel: z.enum(['web', 'teams', 'wechat', 'slack']).optional().or(z.literal('').transform(() => undefined)),
  status: z.enum(['bot', 'waiting_agent', 'with_agent', 'closed']).optional().or(z.literal('').transform(() => undefined)),
  intent: z.string().trim().max(100).optional().transform((v) => v || undefined),
  risk: z.enum(['any', 'low', 'medium', 'high', 'critical']).optional().or(z.literal('').transform(() => undefined)),
  qaMin: z.coerce.number().min(0).max(100).optional(),
  qaMax: z.coerce.number().min(0).max(100).optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
  offset: z.coerce.number().int().min(0).max(100_000).optional(),
});

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const first = r.error.issues[0];
  throw new HttpError(400, 'invalid_request', `${first?.path.join('.') || 'request'}: ${first?.message ?? 'invalid'}`);
}

/** Empty query-string values mean "no filter"; drop them before validating numbers and dates. */
const withoutBlanks = (query: unknown) =>
  Object.fromEntries(Object.entries((query ?? {}) as Record<string, unknown>).filter(([, v]) => v !== '' && v !== undefined));

/** The signed-in user as the pages see them: the id audit trails record, and what their role may do (to show buttons). */
const pageUser = (signed: SignedIn) => ({
  ...signed.user,
  id: personId(signed.user.name),
  may: (Object.keys(PERMISSIONS) as Action[]).filter((a) => allowed(signed.user.role, a)),
});

/** The console's JSON API under /console/api. Every route names its action in the permissions table (permissions.ts). */
export function registerConsoleApi(app: FastifyInstance, deps: ConsoleApiDeps): void {
  const { store, access } = deps;
  const { auth } = access;
  const link = (workflowId: string) => workflowUrl(deps.temporal.uiUrl, deps.temporal.namespace, workflowId);

  app.post('/console/api/login', async (req, reply) => {
    const { username, password } = parse(loginSchema, req.body);
    const signed = await auth.login(req, reply, username, password);
    return { user: pageUser(signed), csrfToken: signed.session.csrfToken, expiresAt: signed.session.expiresAt };
  });

  app.post('/console/api/logout', async (req, reply) => {
    const signed = await auth.guard(req, 'agent', { mutation: true });
    await auth.logout(req, reply);
    await store.recordConsoleAudit({ username: signed.user.name, action: 'logout', detail: { session: signed.session.id } });
    return reply.status(204).send();
  });

  app.get('/console/api/session', async (req) => {
    const signed = await auth.guard(req, 'agent');
    return {
      user: pageUser(signed),
      csrfToken: signed.session.csrfToken,
      expiresAt: signed.session.expiresAt,
      filters: await store.availableConversationFilters(),
      periods: Object.keys(PERIODS),
      temporalUi: deps.temporal.uiUrl ?? null,
    };
  });

  app.get<{ Querystring: { period?: string } }>('/console/api/overview', async (req) => {
    await auth.guard(req, 'console.overview');
    const name = req.query.period ?? '24h';
    if (!isPeriodName(name)) throw new HttpError(400, 'invalid_request', `period must be one of ${Object.keys(PERIODS).join(', ')}`);
    return { periodName: name, ...(await store.consoleOverview(periodEndingNow(name), { slaSeconds: deps.slaMs / 1000 })) };
  });

  app.get('/console/api/conversations', async (req) => {
    await auth.guard(req, 'team.read');
    const filter = parse(searchSchema, withoutBlanks(req.query));
    try {
      return await store.searchConversations(filter);
    } catch (err) {
      if (err instanceof FilterUnavailableError) throw new HttpError(400, 'filter_unavailable', err.message);
      throw err;
    }
  });

  app.get<{ Params: { key: string } }>('/console/api/conversations/:key', async (req) => {
    await auth.guard(req, 'team.read');
    const detail = await store.getConversationDetail(req.params.key);
    if (!detail) throw new HttpError(404, 'not_found', 'No such conversation');
    return {
      ...detail,
      links: {
        workflow: link(detail.conversation.key),
        handoffs: detail.handoffs.available ? Object.fromEntries(detail.handoffs.rows.map((h) => [h.id, link(h.workflowId)])) : {},
        qaResults: detail.qaResults.available ? Object.fromEntries(detail.qaResults.rows.map((r) => [r.id, link(r.workflowId)])) : {},
        riskEscalations: detail.riskEscalations.available ? Object.fromEntries(detail.riskEscalations.rows.map((e) => [e.id, link(e.workflowId)])) : {},
      },
    };
  });

  app.post<{ Params: { key: string } }>('/console/api/conversations/:key/close', async (req) => {
    const actor = await access.actor(req, 'conversation.close');
    const reason = parse(z.object({ reason: z.string().trim().min(1).max(200).default('closed_by_supervisor') }), req.body ?? {}).reason;
    const conversation = await store.getConversation(req.params.key);
    if (!conversation) throw new HttpError(404, 'not_found', 'No such conversation');
    if (!deps.closeConversation) throw new HttpError(503, 'unavailable', 'Closing conversations is not available on this gateway');
    const signalled = await deps.closeConversation(conversation.key, reason);
    await store.recordConsoleAudit({ username: actor.name, action: 'close_conversation', target: conversation.key, detail: { reason, signalled } });
    if (!signalled) throw new HttpError(409, 'not_running', 'The conversation has no running workflow (it is closed already)');
    return { status: 'closing' };
  });

  app.get('/console/api/admin/sessions', async (req) => {
    await auth.guard(req, 'console.admin');
    return { sessions: (await store.listConsoleSessions()).map(({ csrfToken: _hidden, ...s }) => s) };
  });

  app.post<{ Params: { id: string } }>('/console/api/admin/sessions/:id/revoke', async (req) => {
    const actor = await access.actor(req, 'session.revoke');
    const revoked = await store.revokeConsoleSession(req.params.id);
    if (!revoked) throw new HttpError(404, 'not_found', 'No such live session');
    await store.recordConsoleAudit({ username: actor.name, action: 'revoke_session', target: req.params.id });
    return { status: 'revoked' };
  });

  app.get('/console/api/admin/audit', async (req) => {
    await auth.guard(req, 'console.admin');
    return { entries: await store.listConsoleAudit(200) };
  });
}
