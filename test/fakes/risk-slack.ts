import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One Web API call as the fake received it: method name and the parsed arguments (JSON fields decoded). */
export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
  at: number;
}

/**
 * A local stand-in for the Slack Web API (`SLACK_API_URL=<url>/api/`): records every call and answers like Slack
 * does for the methods kefu uses (chat.postMessage returns a channel + ts). `failNext` makes the next matching
 * call fail with a Slack error code, for the permanent/transient paths.
 */
export async function startFakeSlackApi() {
  const calls: SlackCall[] = [];
  const failures: { method: string; error: string; where: (args: Record<string, unknown>) => boolean }[] = [];
  let seq = 0;

  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
      const args: Record<string, unknown> = {};
      if ((req.headers['content-type'] ?? '').includes('application/json')) {
        Object.assign(args, body ? (JSON.parse(body) as Record<string, unknown>) : {});
      } else {
        for (const [k, v] of new URLSearchParams(body)) {
          args[k] = (k === 'blocks' || k === 'attachments') && v.startsWith('[') ? JSON.parse(v) : v;
        }
      }
      calls.push({ method, args, at: Date.now() });
      const index = failures.findIndex((f) => f.method === method && f.where(args));
      const failure = index >= 0 ? failures.splice(index, 1)[0]?.error : undefined;
      const reply = (payload: Record<string, unknown>) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      if (failure) return reply({ ok: false, error: failure });
      switch (method) {
        case 'chat.postMessage':
          seq += 1;
          return reply({ ok: true, channel: args.channel, ts: `1700000000.${String(seq).padStart(6, '0')}`, message: { text: args.text } });
        case 'chat.update':
          return reply({ ok: true, channel: args.channel, ts: args.ts });
        case 'chat.postEphemeral':
          return reply({ ok: true, message_ts: `1700000001.${String(++seq).padStart(6, '0')}` });
        case 'auth.test':
          return reply({ ok: true, user_id: 'UKEFUBOT', bot_id: 'BKEFU', team_id: 'TKEFU', user: 'kefu', url: 'https://kefu.slack.invalid/' });
        default:
          return reply({ ok: true });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    apiUrl: `${url}/api/`,
    calls,
    /** Calls of one method, optionally only those whose arguments match. */
    callsOf(method: string, where: (args: Record<string, unknown>) => boolean = () => true): SlackCall[] {
      return calls.filter((c) => c.method === method && where(c.args));
    },
    /** The next call of `method` whose arguments match fails with Slack error `error`. */
    failNext(method: string, error: string, where: (args: Record<string, unknown>) => boolean = () => true) {
      failures.push({ method, error, where });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type FakeSlackApi = Awaited<ReturnType<typeof startFakeSlackApi>>;

/** The form body of a block_actions interaction (a button press), as Slack posts it to the events URL (sign it with
 * `signSlackBody` from bots/slack/verify.ts). */
export function blockActionBody(opts: { actionId: string; value: string; user: { id: string; name: string }; channel: string; messageTs: string }): string {
  const payload = {
    type: 'block_actions',
    team: { id: 'TKEFU', domain: 'kefu' },
    user: { id: opts.user.id, username: opts.user.name, name: opts.user.name, team_id: 'TKEFU' },
    api_app_id: 'AKEFU',
    token: 'verification-token-unused',
    trigger_id: `${Date.now()}.${randomUUID()}`,
    channel: { id: opts.channel, name: 'kefu-risk' },
    container: { type: 'message', message_ts: opts.messageTs, channel_id: opts.channel, is_ephemeral: false },
    message: { ts: opts.messageTs, text: 'risk alert' },
    actions: [{ type: 'button', action_id: opts.actionId, block_id: `risk:${opts.value}`, value: opts.value, text: { type: 'plain_text', text: 'x' }, action_ts: `${Date.now() / 1000}` }],
  };
  return `payload=${encodeURIComponent(JSON.stringify(payload))}`;
}
