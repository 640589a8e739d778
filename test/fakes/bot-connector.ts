/**
 * A fake Bot Framework connector (the service Teams bots send their messages to): a real HTTP server on 127.0.0.1
 * that the test activities' `serviceUrl` points at, so replies go through the real botbuilder `CloudAdapter` and
 * connector client (URL building, serialisation, the SDK's own retries).
 *
 *   const connector = await startFakeConnector();
 *   activity.serviceUrl = connector.url;
 *   connector.fail('a:conv-1', 500);          // every message activity to that conversation answers 500 …
 *   connector.recover('a:conv-1');            // … until recovered
 *   connector.messages('a:conv-1')            // accepted message activities, in order
 *
 * Endpoints: POST /v3/conversations/{conversationId}/activities and
 * POST /v3/conversations/{conversationId}/activities/{activityId} (a reply; `replyToId` records the id).
 * Every request is recorded in `calls`, accepted or not.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ConnectorCall {
  conversationId: string;
  /** The activity id in the URL of a reply (the bot's idempotency key for proactive sends). */
  replyToId?: string;
  activity: ConnectorActivity;
  headers: IncomingHttpHeaders;
  status: number;
  at: number;
}

export interface ConnectorActivity {
  type: string;
  text?: string;
  locale?: string;
  summary?: string;
  replyToId?: string;
  attachments?: { contentType: string; content: AdaptiveCard }[];
  [key: string]: unknown;
}

export interface AdaptiveCard {
  type: string;
  version: string;
  body: { type: string; text?: string }[];
  actions: { type: string; title: string; data?: unknown }[];
}

export async function startFakeConnector() {
  const calls: ConnectorCall[] = [];
  const failing = new Map<string, number>();
  let next = 0;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const match = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/?]+))?$/.exec((req.url ?? '').split('?')[0] as string);
      if (req.method !== 'POST' || !match) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"NotFound"}}');
        return;
      }
      const conversationId = decodeURIComponent(match[1] as string);
      const activity = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ConnectorActivity;
      // Typing indicators always pass, so a failing conversation fails only for the messages under test.
      const status = activity.type === 'message' ? (failing.get(conversationId) ?? 200) : 200;
      calls.push({ conversationId, replyToId: match[2] ? decodeURIComponent(match[2]) : undefined, activity, headers: req.headers, status, at: Date.now() });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status < 300 ? { id: `activity-${++next}` } : { error: { code: status === 403 ? 'BotBlocked' : 'ServiceError', message: `fake connector answered ${status}` } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/`,
    calls,
    /** Message activities to `conversationId` answer `status` until `recover`. */
    fail(conversationId: string, status: number) {
      failing.set(conversationId, status);
    },
    recover(conversationId: string) {
      failing.delete(conversationId);
    },
    /** Message activities the connector accepted for one conversation, in arrival order. */
    messages(conversationId: string): ConnectorCall[] {
      return calls.filter((c) => c.conversationId === conversationId && c.activity.type === 'message' && c.status < 300);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type FakeConnector = Awaited<ReturnType<typeof startFakeConnector>>;

/** The text blocks of the Adaptive Card a reply carries, for assertions. */
export function cardOf(call: ConnectorCall): AdaptiveCard {
  const card = call.activity.attachments?.[0];
  if (card?.contentType !== 'application/vnd.microsoft.card.adaptive') throw new Error(`activity has no Adaptive Card: ${JSON.stringify(call.activity)}`);
  return card.content;
}
