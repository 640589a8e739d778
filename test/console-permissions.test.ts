import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localQaDeps } from '../activities/qa/deps.js';
import { createQaService } from '../activities/qa/service.js';
import type { AgentRef } from '../bots/agent-desk.js';
import { registerConsoleApi } from '../bots/console/api.js';
import { allowed, PERMISSIONS, type Action } from '../bots/console/permissions.js';
import type { HandoffCommands } from '../bots/handoff/commands.js';
import { installErrorHandling } from '../bots/http-errors.js';
import { registerInboxRoutes } from '../bots/inbox/routes.js';
import { registerQaRoutes } from '../bots/qa/routes.js';
import type { RiskEscalationClient } from '../bots/risk/escalations.js';
import { registerRiskRoutes } from '../bots/risk/routes.js';
import type { ConsoleRole } from '../core/store/console.js';
import type { Db } from '../core/db/types.js';
import { createStore, type Store } from '../core/store/index.js';
import type { RiskAction, RiskActionRequest } from '../workflows/risk-types.js';
import { seedConversation } from './fixtures/qa/seed-week.js';
import { testAccess } from './helpers/access.js';
import { openTestDatabase } from './helpers/databases.js';

const TOKEN = 'service-token-123';
const USERS: Record<ConsoleRole, { name: string; password: string }> = {
  agent: { name: 'ada', password: 'ada-pass-123' },
  supervisor: { name: 'sam', password: 'sam-pass-123' },
  admin: { name: 'root', password: 'root-pass-123' },
};
type Caller = 'nobody' | 'service' | ConsoleRole;

/**
 * Every people-facing mutating route on one Fastify app with the real permission check, the real QA service on a
 * real database, and recording fakes where a workflow would act (risk updates, handoff commands, closing).
 */
describe('who may do what (bots/console/permissions.ts) on every mutating route', () => {
  let db: Db;
  let store: Store;
  let app: FastifyInstance;
  const sessions = new Map<ConsoleRole, { cookie: string; csrf: string }>();
  const riskCalls: { action: RiskAction; request: RiskActionRequest }[] = [];
  const deskCalls: { command: string; handoffId: string; agent: AgentRef }[] = [];
  const closed: string[] = [];
  let conversationKey = '';

  const desk = (command: string) => async (handoffId: string, agent: AgentRef) => {
    deskCalls.push({ command, handoffId, agent });
    return { ok: true as const };
  };
  const commands: HandoffCommands = {
    claim: desk('claim'),
    resolve: desk('resolve'),
    transfer: desk('transfer'),
    // Refused as the workflow would before a claim, so the route writes no thread row for the made-up handoff.
    agentMessage: async (handoffId, agent) => {
      deskCalls.push({ command: 'message', handoffId, agent });
      return { ok: false, reason: 'claim_first' };
    },
    sendSuggestion: desk('suggestion'),
    overview: async () => ({ queues: [], mine: [] }),
  };
  const escalations: Pick<RiskEscalationClient, 'perform'> = {
    async perform(action, request) {
      riskCalls.push({ action, request });
      return { ok: true, escalation: { workflowId: 'w', conversationKey: 'k', category: 'c', status: 'acknowledged', occurrences: 1, remindersSent: 0 } };
    },
  };

  beforeAll(async () => {
    db = await openTestDatabase('pglite');
    store = createStore(db);
    const qaDeps = localQaDeps(store);
    // QA_LEADS names a Slack user: a console supervisor decides by role, without being listed.
    const service = createQaService({ store, sink: qaDeps.sink, publicUrl: qaDeps.publicUrl, leads: ['U_SLACK_LEAD'] });
    const access = testAccess(store, { users: Object.entries(USERS).map(([role, u]) => `${u.name}:${role}:${u.password}`).join(','), serviceToken: TOKEN });
    app = Fastify();
    installErrorHandling(app);
    registerConsoleApi(app, {
      store,
      access,
      slaMs: 60_000,
      temporal: { namespace: 'default' },
      closeConversation: async (key) => {
        closed.push(key);
        return true;
      },
    });
    registerQaRoutes(app, { service, store, access });
    registerRiskRoutes(app, { store, escalations, access });
    registerInboxRoutes(app, { store, commands, queues: ['general'], access });
    await app.ready();

    const id = `perm-${randomUUID()}`;
    conversationKey = (await store.recordInbound({ channel: 'web', conversationId: id, customerId: `c-${id}`, messageId: `${id}/0`, text: 'hello', receivedAt: new Date().toISOString() })).conversation.key;
    for (const [role, u] of Object.entries(USERS) as [ConsoleRole, { name: string; password: string }][]) {
      const res = await app.inject({ method: 'POST', url: '/console/api/login', payload: { username: u.name, password: u.password } });
      expect(res.statusCode).toBe(200);
      const cookie = res.cookies.find((c) => c.name === 'kefu_console' && c.value !== '');
      sessions.set(role, { cookie: `kefu_console=${cookie?.value}`, csrf: res.json<{ csrfToken: string }>().csrfToken });
    }
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  function call(who: Caller, method: 'GET' | 'POST', url: string, payload?: unknown, opts: { csrf?: boolean } = {}) {
    const headers: Record<string, string> = {};
    if (who === 'service') headers.authorization = `Bearer ${TOKEN}`;
    else if (who !== 'nobody') {
      const s = sessions.get(who)!;
      headers.cookie = s.cookie;
      if (opts.csrf !== false) headers['x-csrf-token'] = s.csrf;
    }
    return app.inject({ method, url, headers, ...(method === 'POST' ? { payload: payload ?? {} } : {}) });
  }

  // Ids that do not exist where a real service answers: 404 means the call got past the permission check.
  const ROUTES: { action: Action; url: () => string; body: unknown }[] = [
    { action: 'conversation.close', url: () => `/console/api/conversations/${encodeURIComponent(conversationKey)}/close`, body: { reason: 'test' } },
    { action: 'session.revoke', url: () => '/console/api/admin/sessions/no-such-session/revoke', body: {} },
    { action: 'qa.dispute.open', url: () => '/v1/qa/findings/no-such-finding/disputes', body: { reason: 'wrong' } },
    { action: 'qa.dispute.decide', url: () => '/v1/qa/disputes/no-such-dispute/decision', body: { accept: true } },
    { action: 'risk.acknowledge', url: () => '/v1/risk/escalations/e-1/ack', body: {} },
    { action: 'risk.take_over', url: () => '/v1/risk/escalations/e-1/takeover', body: {} },
    { action: 'risk.false_positive', url: () => '/v1/risk/escalations/e-1/false-positive', body: { note: 'quote' } },
    { action: 'handoff.claim', url: () => '/inbox/api/handoffs/h-1/claim', body: {} },
    { action: 'handoff.resolve', url: () => '/inbox/api/handoffs/h-1/resolve', body: {} },
    { action: 'handoff.transfer', url: () => '/inbox/api/handoffs/h-1/transfer', body: { queue: 'general' } },
    { action: 'handoff.reply', url: () => '/inbox/api/handoffs/h-1/messages', body: { text: 'hi', clientId: 'c-1' } },
    { action: 'handoff.send_suggestion', url: () => '/inbox/api/handoffs/h-1/suggestions/s-1/send', body: {} },
  ];

  it('when the table is read, then it says what the operators agreed: agents work their own cases, supervisors judge, admins manage sessions', () => {
    const may = (role: ConsoleRole) => (Object.keys(PERMISSIONS) as Action[]).filter((a) => allowed(role, a));
    expect(may('agent')).toEqual(expect.arrayContaining(['qa.dispute.open', 'risk.acknowledge', 'risk.take_over', 'handoff.claim', 'handoff.reply']));
    for (const a of ['qa.dispute.decide', 'risk.false_positive', 'conversation.close', 'console.overview', 'session.revoke'] as const) expect(may('agent')).not.toContain(a);
    expect(may('supervisor')).toEqual(expect.arrayContaining(['qa.dispute.decide', 'risk.false_positive', 'conversation.close']));
    expect(may('supervisor')).not.toContain('session.revoke');
    expect(may('admin')).toEqual(Object.keys(PERMISSIONS));
    // The service token never speaks, owns or judges in a person's place.
    expect((Object.keys(PERMISSIONS) as Action[]).filter((a) => PERMISSIONS[a].service).sort()).toEqual(['handoff.resolve', 'handoff.transfer', 'risk.acknowledge', 'team.read']);
  });

  it('when a mutating route is called without a session or token, then it answers 401', async () => {
    for (const r of ROUTES) {
      const res = await call('nobody', 'POST', r.url(), r.body);
      expect(res.statusCode, r.action).toBe(401);
      expect(res.json(), r.action).toMatchObject({ error: { code: 'not_signed_in' } });
    }
    expect((await app.inject({ method: 'POST', url: ROUTES[2]!.url(), headers: { authorization: 'Bearer wrong' }, payload: { reason: 'x' } })).statusCode).toBe(401);
  });

  it('when each role and the service token call each route, then a role the table does not allow gets 403 and an allowed one gets through', async () => {
    for (const r of ROUTES) {
      for (const who of ['agent', 'supervisor', 'admin', 'service'] as const) {
        const res = await call(who, 'POST', r.url(), r.body);
        const may = who === 'service' ? PERMISSIONS[r.action].service : allowed(who, r.action);
        if (may) {
          expect([401, 403], `${who} ${r.action}: ${res.body}`).not.toContain(res.statusCode);
          expect(res.statusCode, `${who} ${r.action}: ${res.body}`).toBeLessThan(500);
        } else {
          expect(res.statusCode, `${who} ${r.action}`).toBe(403);
          const message = res.json<{ error: { code: string; message: string } }>().error;
          expect(message.code).toBe('forbidden');
          expect(message.message, r.action).toMatch(who === 'service' ? /service token may not/ : new RegExp(`needs the ${PERMISSIONS[r.action].role} role; you are signed in as ${who}`));
        }
      }
    }
  });

  it('when a signed-in call comes without the CSRF token, then it is refused even for a role that may', async () => {
    for (const r of ROUTES) {
      const res = await call('admin', 'POST', r.url(), r.body, { csrf: false });
      expect(res.statusCode, r.action).toBe(403);
      expect(res.json(), r.action).toMatchObject({ error: { code: 'csrf_token_invalid' } });
    }
  });

  it('when an agent disputes and a supervisor decides, then the audit trail names them from their sessions, not from the body', async () => {
    const seeded = await seedConversation(localQaDeps(store), 'bot_curt_en', new Date(Date.now() - 3_600_000), `perm-qa-${randomUUID()}`);
    const failed = (await store.listQaFindings(seeded.resultId as string)).filter((f) => f.status === 'fail');
    expect(failed.length).toBeGreaterThanOrEqual(2);
    const [botOnly, ownOne] = failed as [(typeof failed)[number], (typeof failed)[number]];
    // Arrange: one finding about ada's own message, one about another agent's.
    await db.query('UPDATE qa_findings SET actors = $2 WHERE id = $1', [ownOne.id, ['agent:inbox:ada']]);

    // A body still naming someone is refused outright rather than acted on under another name.
    expect((await call('agent', 'POST', `/v1/qa/findings/${botOnly.id}/disputes`, { agent: { id: 'U_BOSS' }, reason: 'x' })).statusCode).toBe(400);
    const mine = await call('agent', 'POST', `/v1/qa/findings/${ownOne.id}/disputes`, { reason: 'The customer left before I could greet.' });
    expect(mine.statusCode).toBe(201);
    await db.query('UPDATE qa_findings SET actors = $2 WHERE id = $1', [botOnly.id, ['agent:U_BOB']]);
    const others = await call('agent', 'POST', `/v1/qa/findings/${botOnly.id}/disputes`, { reason: 'not mine' });
    expect(others.statusCode).toBe(403);
    expect(others.json()).toMatchObject({ error: { code: 'forbidden', message: expect.stringContaining('agent:U_BOB') } });

    const dispute = mine.json<{ dispute: { id: string; agentId: string; agentName: string } }>().dispute;
    expect(dispute).toMatchObject({ agentId: 'inbox:ada', agentName: 'ada' });
    const url = `/v1/qa/disputes/${dispute.id}/decision`;
    expect((await call('agent', 'POST', url, { accept: true })).statusCode).toBe(403);
    expect((await call('supervisor', 'POST', url, { lead: { id: 'U_SLACK_LEAD' }, accept: true })).statusCode).toBe(400);
    const decided = await call('supervisor', 'POST', url, { accept: true, note: 'fair' });
    expect(decided.statusCode).toBe(200);
    expect(decided.json()).toMatchObject({ dispute: { status: 'accepted', decidedBy: 'inbox:sam' }, finding: { status: 'pass', overturned: true } });

    const audit = await store.listAudit({ subjects: [`qa_dispute:${dispute.id}`, `qa_finding:${ownOne.id}`] });
    expect(audit.map((a) => [a.action, a.actor])).toEqual([
      ['qa.dispute.opened', 'agent:inbox:ada'],
      ['qa.dispute.accepted', 'lead:inbox:sam'],
      ['qa.finding.overturned', 'lead:inbox:sam'],
    ]);
  });

  it('when risk alerts are acted on, then the actor is the session user (or the service), never the body', async () => {
    riskCalls.length = 0;
    expect((await call('agent', 'POST', '/v1/risk/escalations/e-2/ack', { actor: 'someone-else' })).statusCode).toBe(400);
    expect((await call('agent', 'POST', '/v1/risk/escalations/e-2/ack', {})).statusCode).toBe(200);
    expect((await call('service', 'POST', '/v1/risk/escalations/e-3/ack', {})).statusCode).toBe(200);
    expect((await call('agent', 'POST', '/v1/risk/escalations/e-2/false-positive', {})).statusCode).toBe(403);
    expect((await call('supervisor', 'POST', '/v1/risk/escalations/e-2/false-positive', { note: 'a quote' })).statusCode).toBe(200);
    expect(riskCalls).toEqual([
      { action: 'acknowledge', request: { escalationId: 'e-2', actor: 'inbox:ada', actorName: 'ada', via: 'console' } },
      { action: 'acknowledge', request: { escalationId: 'e-3', actor: 'service', via: 'api' } },
      { action: 'false_positive', request: { escalationId: 'e-2', actor: 'inbox:sam', actorName: 'sam', via: 'console', note: 'a quote' } },
    ]);
  });

  it('when agents work the inbox, then the agent is the session user; the service token may read and resolve but not claim', async () => {
    deskCalls.length = 0;
    expect((await call('agent', 'POST', '/inbox/api/handoffs/h-9/claim', { agent: 'bob' })).statusCode).toBe(400);
    expect((await call('agent', 'POST', '/inbox/api/handoffs/h-9/claim', {})).statusCode).toBe(200);
    expect((await call('service', 'POST', '/inbox/api/handoffs/h-9/claim', {})).statusCode).toBe(403);
    expect((await call('service', 'POST', '/inbox/api/handoffs/h-9/resolve', {})).statusCode).toBe(200);
    expect(deskCalls.map((c) => [c.command, c.agent])).toEqual([
      ['claim', { id: 'inbox:ada', name: 'ada' }],
      ['resolve', { id: 'service', name: 'service' }],
    ]);
    // Reading: a session or the token (INBOX_TOKEN is set here, so nobody else).
    expect((await call('nobody', 'GET', '/inbox/api/handoffs')).statusCode).toBe(401);
    expect((await call('service', 'GET', '/inbox/api/handoffs')).statusCode).toBe(200);
    expect((await call('agent', 'GET', '/inbox/api/handoffs')).statusCode).toBe(200);
    expect((await call('nobody', 'GET', '/v1/risk/escalations')).statusCode).toBe(401);
    expect((await call('agent', 'GET', '/v1/qa/alerts')).statusCode).toBe(200);
  });

  it('when a supervisor closes a conversation and an admin revokes a session, then the console audit names them', async () => {
    closed.length = 0;
    expect((await call('supervisor', 'POST', `/console/api/conversations/${encodeURIComponent(conversationKey)}/close`, {})).statusCode).toBe(200);
    expect(closed).toEqual([conversationKey]);
    const victim = await app.inject({ method: 'POST', url: '/console/api/login', payload: { username: 'ada', password: 'ada-pass-123' } });
    const victimId = (await store.listConsoleSessions()).filter((s) => s.username === 'ada').sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0]!.id;
    expect(victim.statusCode).toBe(200);
    expect((await call('admin', 'POST', `/console/api/admin/sessions/${victimId}/revoke`, {})).statusCode).toBe(200);
    const audit = await store.listConsoleAudit(50);
    expect(audit).toContainEqual(expect.objectContaining({ action: 'close_conversation', username: 'sam', target: conversationKey }));
    expect(audit).toContainEqual(expect.objectContaining({ action: 'revoke_session', username: 'root', target: victimId }));
  });
});
