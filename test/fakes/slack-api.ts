import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseQuery } from 'node:querystring';

export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
  at: number;
  /** What the fake answered (ts and channel of a posted message). */
  result: Record<string, unknown>;
}

export interface FakeUser {
  id: string;
  name: string;
  displayName?: string;
}

const JSON_FIELDS = ['blocks', 'attachments', 'metadata'];

async function readArgs(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  const type = req.headers['content-type'] ?? '';
  const args: Record<string, unknown> = type.includes('application/json')
    ? (raw ? (JSON.parse(raw) as Record<string, unknown>) : {})
    : Object.fromEntries(Object.entries(parseQuery(raw)).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
  for (const f of JSON_FIELDS) {
    if (typeof args[f] === 'string') {
      try {
        args[f] = JSON.parse(args[f] as string);
      } catch {
        // leave as sent
      }
    }
  }
  return args;
}

/**
 * A local stand-in for the Slack Web API (chat.postMessage, chat.update, chat.postEphemeral, users.info, auth.test)
 * on 127.0.0.1. It records every call so tests assert on what the bot said to agents, and can fail calls on demand.
 */
export async function startFakeSlackApi(opts: { users?: FakeUser[] } = {}) {
  const calls: SlackCall[] = [];
  const channelIds = new Map<string, string>();
  const users = new Map((opts.users ?? []).map((u) => [u.id, u]));
  const failures = new Map<string, { count: number; error: string }>();
  let seq = 0;

  const channelId = (nameOrId: string): string => {
    if (/^[CGD][A-Z0-9]{6,}$/.test(nameOrId)) return nameOrId;
    const name = nameOrId.replace(/^#/, '');
    let id = channelIds.get(name);
    if (!id) {
      id = `C${(channelIds.size + 1).toString().padStart(8, '0')}`;
      channelIds.set(name, id);
    }
    return id;
  };
  const nextTs = () => `${1_700_000_000 + ++seq}.${String(seq).padStart(6, '0')}`;

  function answer(method: string, args: Record<string, unknown>): Record<string, unknown> {
    const fail = failures.get(method);
    if (fail && fail.count > 0) {
      fail.count -= 1;
      return { ok: false, error: fail.error };
    }
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'http://fake.slack.local/', team: 'kefu', user: 'kefu', team_id: 'T0000001', user_id: 'UKEFUBOT', bot_id: 'BKEFU' };
      case 'chat.postMessage': {
        const channel = channelId(String(args.channel));
        const ts = nextTs();
        return { ok: true, channel, ts, message: { type: 'message', text: args.text, ts, thread_ts: args.thread_ts, bot_id: 'BKEFU' } };
      }
      case 'chat.update':
        return { ok: true, channel: channelId(String(args.channel)), ts: args.ts, text: args.text };
      case 'chat.postEphemeral':
        return { ok: true, message_ts: nextTs() };
      case 'users.info': {
        const id = String(args.user);
        const u = users.get(id) ?? { id, name: id.toLowerCase() };
        return { ok: true, user: { id: u.id, name: u.name, real_name: u.displayName ?? u.name, profile: { display_name: u.displayName ?? u.name, real_name: u.displayName ?? u.name } } };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  const server: Server = createServer((req, res) => {
    void (async () => {
      const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0] as string;
      const args = await readArgs(req);
      const result = answer(method, args);
      calls.push({ method, args, at: Date.now(), result });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(result));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/api/`,
    calls,
    channelId,
    addUser: (u: FakeUser) => users.set(u.id, u),
    /** The next `count` calls of `method` fail with `error` (ok: false). */
    failNext: (method: string, count: number, error = 'internal_error') => failures.set(method, { count, error }),
    callsOf: (method: string) => calls.filter((c) => c.method === method),
    /** Waits for a call matching the predicate, made after `since` (ms epoch). */
    async waitFor(method: string, pred: (c: SlackCall) => boolean = () => true, timeoutMs = 20_000): Promise<SlackCall> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = calls.find((c) => c.method === method && pred(c));
        if (hit) return hit;
        if (Date.now() > deadline) {
          const seen = calls.map((c) => `${c.method} ${JSON.stringify(c.args).slice(0, 160)}`).join('\n');
          throw new Error(`no ${method} call matched within ${timeoutMs} ms; calls so far:\n${seen}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type FakeSlackApi = Awaited<ReturnType<typeof startFakeSlackApi>>;

/** All visible text of a recorded message: its text and the text inside its blocks. */
export function messageText(c: SlackCall): string {
  return `${String(c.args.text ?? '')}\n${JSON.stringify(c.args.blocks ?? [])}`;
}
