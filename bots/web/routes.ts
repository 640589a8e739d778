import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { conversationKey, type StoredMessage } from '../../core/domain.js';
import type { Store } from '../../core/store/index.js';
import type { Dispatcher } from '../dispatch.js';
import { HttpError } from '../http-errors.js';
import { createMessageFeed } from './message-feed.js';
import { conversationIdSchema, postMessageSchema } from './schemas.js';

export interface WebRouteDeps {
  store: Store;
  dispatcher: Dispatcher;
  maxMessageChars: number;
  /** How often the open event streams look for new messages (one query for all of them). */
  streamPollMs?: number;
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    const first = r.error.issues[0];
    const where = first?.path.length ? `${first.path.join('.')}: ` : '';
    throw new HttpError(400, 'invalid_request', `${where}${first?.message ?? 'invalid request'}`);
  }
  return r.data;
}

const publicMessage = (m: StoredMessage) => ({ id: m.id, role: m.role, text: m.text, createdAt: m.createdAt, citations: m.citations ?? undefined });

/** The generic REST channel: what a website, an app or the local web chat integrates with. */
export function registerWebRoutes(app: FastifyInstance, deps: WebRouteDeps): void {
  const bodySchema = postMessageSchema(deps.maxMessageChars);
  // All open event streams of this gateway share one poll: a query per tick, not per stream.
  const feed = createMessageFeed({ store: deps.store, pollMs: deps.streamPollMs ?? 100, onError: (err) => app.log.warn({ err }, 'event stream poll failed') });

  app.post<{ Params: { conversationId: string } }>('/v1/conversations/:conversationId/messages', async (req, reply) => {
    if (!req.headers['content-type']?.toLowerCase().startsWith('application/json')) {
      throw new HttpError(415, 'unsupported_media_type', 'Content-Type must be application/json');
    }
    const conversationId = parse(conversationIdSchema, req.params.conversationId);
    const body = parse(bodySchema, req.body);
    const existing = await deps.store.getConversation(conversationKey('web', conversationId));
    if (existing) {
      const owner = await deps.store.resolveCustomer('web', body.customerId);
      if (owner !== existing.customerId) throw new HttpError(409, 'conversation_owned', 'This conversation belongs to another customer');
    }
    const messageId = body.messageId ?? randomUUID();
    await deps.dispatcher.accept({
      channel: 'web',
      conversationId,
      customerId: body.customerId,
      // Namespaced by conversation so one customer's ids can never collide with another's.
      messageId: `${conversationId}/${messageId}`,
      text: body.text,
      language: body.language,
      receivedAt: new Date().toISOString(),
    });
    return reply.status(202).send({ messageId });
  });

  app.get<{ Params: { conversationId: string }; Querystring: { after?: string } }>(
    '/v1/conversations/:conversationId/messages',
    async (req) => {
      const conversationId = parse(conversationIdSchema, req.params.conversationId);
      const after = Number(req.query.after ?? 0) || 0;
      const messages = await deps.store.listMessages(conversationKey('web', conversationId), after);
      return { messages: messages.map(publicMessage) };
    },
  );

  // Server-sent events: each stored message once, in order; `Last-Event-ID` resumes after a reconnect.
  app.get<{ Params: { conversationId: string }; Querystring: { after?: string } }>(
    '/v1/conversations/:conversationId/events',
    async (req, reply) => {
      const conversationId = parse(conversationIdSchema, req.params.conversationId);
      const key = conversationKey('web', conversationId);
      const after = Number(req.headers['last-event-id'] ?? req.query.after ?? 0) || 0;
      reply.hijack();
      const res = reply.raw;
      // Headers set by hooks (CORS for the embedded widget) go out with the hijacked response too.
      for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) res.setHeader(name, value);
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
      res.write(': connected\n\n');
      const subscription = feed.subscribe(key, after, (messages) => {
        for (const m of messages) res.write(`id: ${m.seq}\nevent: message\ndata: ${JSON.stringify(publicMessage(m))}\n\n`);
      });
      // A comment now and then keeps proxies from closing a quiet stream.
      const keepAlive = setInterval(() => res.write(': ping\n\n'), 15_000);
      await new Promise<void>((resolve) => req.raw.on('close', resolve));
      subscription.close();
      clearInterval(keepAlive);
      res.end();
    },
  );
}
