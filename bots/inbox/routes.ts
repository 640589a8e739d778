import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Store } from '../../core/store/index.js';
import type { AgentRef, HandoffCard } from '../agent-desk.js';
import { refusalText, type CommandResult, type HandoffCommands } from '../handoff/commands.js';
import { HttpError } from '../http-errors.js';
import { inboxAuth } from './auth.js';

const PAGE = readFileSync(new URL('./page.html', import.meta.url), 'utf8');
const SCRIPT = readFileSync(new URL('./inbox.js', import.meta.url), 'utf8');

export interface InboxRouteDeps {
  store: Store;
  commands: HandoffCommands;
  queues: string[];
  token?: string;
}

const agentName = z.string().trim().min(1, 'agent must not be empty').max(64);
const withAgent = z.object({ agent: agentName.optional(), actionId: z.string().min(1).max(128).optional() });
const transferBody = withAgent.extend({ queue: z.string().min(1).max(64).optional(), toAgent: agentName.optional() });
const messageBody = withAgent.extend({ text: z.string().refine((t) => t.trim().length > 0, 'text must not be empty').refine((t) => t.length <= 4000, 'text is too long'), clientId: z.string().min(1).max(128) });

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value ?? {});
  if (!r.success) throw new HttpError(400, 'invalid_request', r.error.issues[0]?.message ?? 'invalid request');
  return r.data;
}

/** Inbox agents are named by their login (or the name typed in the page in open local mode). */
const toAgent = (name: string): AgentRef => ({ id: `inbox:${name.toLowerCase()}`, name });

/**
 * The local agent inbox: a page at /inbox and its JSON API at /inbox/api/… — the same actions as Slack's buttons,
 * through the same handoff commands.
 */
export function registerInboxRoutes(app: FastifyInstance, deps: InboxRouteDeps): void {
  const { store, commands } = deps;
  void app.register(async (scope) => {
    scope.addHook('onRequest', async (req, reply) => {
      const auth = inboxAuth(deps.token, req.headers.authorization);
      if (!auth.ok) {
        await reply.status(401).header('www-authenticate', 'Basic realm="kefu inbox"').send({ error: { code: 'unauthorized', message: 'INBOX_TOKEN required' } });
        return reply;
      }
      (req as FastifyRequest & { inboxAgent?: string }).inboxAgent = auth.agentName;
    });
    const who = (req: FastifyRequest, given: string | undefined): AgentRef => {
      const name = (req as FastifyRequest & { inboxAgent?: string }).inboxAgent ?? given;
      if (!name) throw new HttpError(400, 'invalid_request', 'agent: say who you are');
      return toAgent(name);
    };
    const answer = (reply: FastifyReply, r: CommandResult) =>
      r.ok ? reply.send({ ok: true }) : reply.status(r.reason === 'unavailable' ? 503 : r.reason === 'unknown_handoff' ? 404 : 409).send({ ok: false, reason: r.reason, message: refusalText(r), owner: r.owner });

    scope.get('/inbox', async (_req, reply) => reply.type('text/html; charset=utf-8').send(PAGE));
    scope.get('/inbox/inbox.js', async (_req, reply) => reply.type('text/javascript; charset=utf-8').send(SCRIPT));

    scope.get<{ Querystring: { agent?: string } }>('/inbox/api/overview', async (req) => {
      const agentId = (req as FastifyRequest & { inboxAgent?: string }).inboxAgent ?? req.query.agent;
      return { ...(await commands.overview(agentId ? toAgent(agentId).id : undefined)), queueNames: deps.queues };
    });

    scope.get('/inbox/api/handoffs', async () => {
      const open = await store.listHandoffs({ statuses: ['after_hours', 'waiting', 'claimed'] });
      const done = await store.listHandoffs({ statuses: ['resolved', 'ended'], limit: 20 });
      const all = [...open, ...done];
      const cards = new Map((await store.listInboxCards<HandoffCard>(all.map((h) => h.id))).map((c) => [c.handoffId, c]));
      // A handoff shows once its card is posted (after opening time, for one that came in after hours).
      return {
        handoffs: all
          .filter((h) => cards.has(h.id))
          .map((h) => ({ ...h, card: cards.get(h.id)?.card ?? null, alertLevel: cards.get(h.id)?.alertLevel ?? null })),
      };
    });

    scope.get<{ Params: { id: string }; Querystring: { after?: string } }>('/inbox/api/handoffs/:id', async (req) => {
      const h = await store.getHandoff(req.params.id);
      if (!h) throw new HttpError(404, 'not_found', 'no such handoff');
      const [card] = await store.listInboxCards<HandoffCard>([h.id]);
      const thread = await store.listInboxThread(h.id, Number(req.query.after ?? 0) || 0);
      return { handoff: h, card: card?.card ?? null, alertLevel: card?.alertLevel ?? null, thread };
    });

    scope.post<{ Params: { id: string } }>('/inbox/api/handoffs/:id/claim', async (req, reply) => {
      const body = parse(withAgent, req.body);
      return answer(reply, await commands.claim(req.params.id, who(req, body.agent), body.actionId ?? randomUUID()));
    });

    scope.post<{ Params: { id: string } }>('/inbox/api/handoffs/:id/resolve', async (req, reply) => {
      const body = parse(withAgent, req.body);
      return answer(reply, await commands.resolve(req.params.id, who(req, body.agent), body.actionId ?? randomUUID()));
    });

    scope.post<{ Params: { id: string } }>('/inbox/api/handoffs/:id/transfer', async (req, reply) => {
      const body = parse(transferBody, req.body);
      if (!body.queue === !body.toAgent) throw new HttpError(400, 'invalid_request', 'give either queue or toAgent');
      const target = body.queue ? { queue: body.queue } : { agent: toAgent(body.toAgent as string) };
      return answer(reply, await commands.transfer(req.params.id, who(req, body.agent), target, body.actionId ?? randomUUID()));
    });

    // An agent's reply: relayed once per clientId, shown in the thread once it is accepted.
    scope.post<{ Params: { id: string } }>('/inbox/api/handoffs/:id/messages', async (req, reply) => {
      const body = parse(messageBody, req.body);
      const agent = who(req, body.agent);
      const r = await commands.agentMessage(req.params.id, agent, `inbox:${body.clientId}`, body.text.trim());
      if (r.ok && (await store.getDeskPost(`inbox-msg:${req.params.id}:${body.clientId}`)) === null) {
        await store.appendInboxThread({ handoffId: req.params.id, kind: 'agent', author: agent.name, text: body.text.trim() });
        await store.saveDeskPost(`inbox-msg:${req.params.id}:${body.clientId}`, { posted: true });
      }
      return answer(reply, r);
    });

    scope.post<{ Params: { id: string; suggestionId: string } }>('/inbox/api/handoffs/:id/suggestions/:suggestionId/send', async (req, reply) => {
      const body = parse(withAgent, req.body);
      return answer(reply, await commands.sendSuggestion(req.params.id, who(req, body.agent), req.params.suggestionId));
    });
  });
}
