import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Store } from '../../core/store/index.js';
import type { AgentRef, HandoffCard } from '../agent-desk.js';
import { personId, type Access, type Actor } from '../console/access.js';
import type { Action } from '../console/permissions.js';
import { refusalText, type CommandResult, type HandoffCommands } from '../handoff/commands.js';
import { HttpError } from '../http-errors.js';

const PAGE = readFileSync(new URL('./page.html', import.meta.url), 'utf8');
const SCRIPT = readFileSync(new URL('./inbox.js', import.meta.url), 'utf8');

export interface InboxRouteDeps {
  store: Store;
  commands: HandoffCommands;
  queues: string[];
  /**
   * Sign-in and permissions (bots/console/access.ts): agents act through their console session, and the agent the
   * workflow and the customer see is that person, never a name from the request.
   */
  access: Access;
}

const agentName = z.string().trim().min(1, 'agent must not be empty').max(64);
// Strict: a body still naming who acts (`agent`) is refused rather than acted on under the session's name.
const action = z.strictObject({ actionId: z.string().min(1).max(128).optional() });
const transferBody = action.extend({ queue: z.string().min(1).max(64).optional(), toAgent: agentName.optional() });
const messageBody = action.extend({ text: z.string().refine((t) => t.trim().length > 0, 'text must not be empty').refine((t) => t.length <= 4000, 'text is too long'), clientId: z.string().min(1).max(128) });

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value ?? {});
  if (!r.success) throw new HttpError(400, 'invalid_request', r.error.issues[0]?.message ?? 'invalid request');
  return r.data;
}

/** Inbox agents are named by their console login. */
const toAgent = (name: string): AgentRef => ({ id: personId(name), name });

/**
 * The local agent inbox: a page at /inbox and its JSON API at /inbox/api/… — the same actions as Slack's buttons,
 * through the same handoff commands.
 */
export function registerInboxRoutes(app: FastifyInstance, deps: InboxRouteDeps): void {
  const { store, commands, access } = deps;
  void app.register(async (scope) => {
    // The page and its script hold no data; every read under /inbox/api answers only to a session or the token.
    const readers = new WeakMap<FastifyRequest, Actor | null>();
    scope.addHook('onRequest', async (req) => {
      if (req.method === 'GET' && req.url.startsWith('/inbox/api/')) readers.set(req, await access.reader(req));
    });
    const who = async (req: FastifyRequest, permission: Action): Promise<AgentRef> => {
      const actor = await access.actor(req, permission);
      return { id: actor.id, name: actor.name };
    };
    const answer = (reply: FastifyReply, r: CommandResult) =>
      r.ok ? reply.send({ ok: true }) : reply.status(r.reason === 'unavailable' ? 503 : r.reason === 'unknown_handoff' ? 404 : 409).send({ ok: false, reason: r.reason, message: refusalText(r), owner: r.owner });

    scope.get('/inbox', async (_req, reply) => reply.type('text/html; charset=utf-8').send(PAGE));
    scope.get('/inbox/inbox.js', async (_req, reply) => reply.type('text/javascript; charset=utf-8').send(SCRIPT));

    scope.get<{ Querystring: { agent?: string } }>('/inbox/api/overview', async (req) => {
      // "Mine" is the signed-in person's; the service token (a dashboard, say) may ask about any agent.
      const reader = readers.get(req);
      const agentId = reader?.kind === 'person' ? reader.id : req.query.agent ? toAgent(req.query.agent).id : undefined;
      return { ...(await commands.overview(agentId)), queueNames: deps.queues };
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

    // Callback requests from back-office workflows (e.g. trade-in leads), posted once they reached the desk.
    scope.get('/inbox/api/leads', async () => ({ leads: (await store.listLeads({ status: 'open' })).filter((l) => l.desk === 'inbox') }));

    scope.get<{ Params: { id: string }; Querystring: { after?: string } }>('/inbox/api/handoffs/:id', async (req) => {
      const h = await store.getHandoff(req.params.id);
      if (!h) throw new HttpError(404, 'not_found', 'no such handoff');
      const [card] = await store.listInboxCards<HandoffCard>([h.id]);
      const thread = await store.listInboxThread(h.id, Number(req.query.after ?? 0) || 0);
      return { handoff: h, card: card?.card ?? null, alertLevel: card?.alertLevel ?? null, thread };
    });

    scope.post<{ Params: { id: string } }>('/inbox/api/handoffs/:id/claim', async (req, reply) => {
      const agent = await who(req, 'handoff.claim');
      const body = parse(action, req.body);
      return answer(reply, await commands.claim(req.params.id, agent, body.actionId ?? randomUUID()));
    });

    scope.post<{ Params: { id: string } }>('/inbox/api/handoffs/:id/resolve', async (req, reply) => {
      const agent = await who(req, 'handoff.resolve');
      const body = parse(action, req.body);
      return answer(reply, await commands.resolve(req.params.id, agent, body.actionId ?? randomUUID()));
    });

    scope.post<{ Params: { id: string } }>('/inbox/api/handoffs/:id/transfer', async (req, reply) => {
      const agent = await who(req, 'handoff.transfer');
      const body = parse(transferBody, req.body);
      if (!body.queue === !body.toAgent) throw new HttpError(400, 'invalid_request', 'give either queue or toAgent');
      const target = body.queue ? { queue: body.queue } : { agent: toAgent(body.toAgent as string) };
      return answer(reply, await commands.transfer(req.params.id, agent, target, body.actionId ?? randomUUID()));
    });

    // An agent's reply: relayed once per clientId, shown in the thread once it is accepted.
    scope.post<{ Params: { id: string } }>('/inbox/api/handoffs/:id/messages', async (req, reply) => {
      const agent = await who(req, 'handoff.reply');
      const body = parse(messageBody, req.body);
      const r = await commands.agentMessage(req.params.id, agent, `inbox:${body.clientId}`, body.text.trim());
      if (r.ok && (await store.getDeskPost(`inbox-msg:${req.params.id}:${body.clientId}`)) === null) {
        await store.appendInboxThread({ handoffId: req.params.id, kind: 'agent', author: agent.name, text: body.text.trim() });
        await store.saveDeskPost(`inbox-msg:${req.params.id}:${body.clientId}`, { posted: true });
      }
      return answer(reply, r);
    });

    scope.post<{ Params: { id: string; suggestionId: string } }>('/inbox/api/handoffs/:id/suggestions/:suggestionId/send', async (req, reply) => {
      const agent = await who(req, 'handoff.send_suggestion');
      parse(action, req.body);
      return answer(reply, await commands.sendSuggestion(req.params.id, agent, req.params.suggestionId));
    });
  });
}
