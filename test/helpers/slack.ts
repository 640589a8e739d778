import { randomUUID } from 'node:crypto';
import { signSlackBody } from '../../bots/slack/verify.js';

export interface SlackPostOptions {
  /** Seconds since epoch to sign with (default now). */
  timestamp?: number;
  retryNum?: number;
  /** Send without signature headers. */
  unsigned?: boolean;
  /** Sign this instead of the body actually sent (tampering). */
  signBody?: string;
}

export interface SlackResponse {
  status: number;
  body: string;
}

/** Posts to /slack/events exactly as Slack does: JSON events, form-encoded interactivity and slash commands, signed. */
export async function postToSlackEndpoint(
  gatewayUrl: string,
  signingSecret: string,
  body: { json: unknown } | { form: Record<string, string> },
  opts: SlackPostOptions = {},
): Promise<SlackResponse> {
  const raw = 'json' in body ? JSON.stringify(body.json) : new URLSearchParams(body.form).toString();
  const headers: Record<string, string> = {
    'content-type': 'json' in body ? 'application/json' : 'application/x-www-form-urlencoded',
    ...(opts.unsigned ? {} : signSlackBody(signingSecret, opts.signBody ?? raw, opts.timestamp)),
    ...(opts.retryNum !== undefined ? { 'x-slack-retry-num': String(opts.retryNum), 'x-slack-retry-reason': 'http_timeout' } : {}),
  };
  const res = await fetch(`${gatewayUrl}/slack/events`, { method: 'POST', headers, body: raw });
  return { status: res.status, body: await res.text() };
}

export function messageEvent(e: { channel: string; user: string; text: string; ts: string; threadTs?: string; eventId?: string; botId?: string }) {
  return {
    json: {
      token: 'legacy',
      team_id: 'T0000001',
      api_app_id: 'AKEFU',
      type: 'event_callback',
      event_id: e.eventId ?? `Ev${randomUUID().replace(/-/g, '').slice(0, 10)}`,
      event_time: Math.floor(Date.now() / 1000),
      event: {
        type: 'message',
        channel: e.channel,
        channel_type: 'channel',
        user: e.user,
        text: e.text,
        ts: e.ts,
        ...(e.threadTs ? { thread_ts: e.threadTs } : {}),
        ...(e.botId ? { bot_id: e.botId } : {}),
      },
    },
  };
}

export function blockAction(a: {
  user: string;
  channel: string;
  messageTs: string;
  actionId: string;
  value?: string;
  blockId?: string;
  selectedOption?: string;
  selectedUser?: string;
  triggerId?: string;
}) {
  const action: Record<string, unknown> = {
    action_id: a.actionId,
    block_id: a.blockId ?? 'b1',
    action_ts: String(Date.now() / 1000),
    type: a.selectedUser ? 'users_select' : a.selectedOption ? 'static_select' : 'button',
    ...(a.value !== undefined ? { value: a.value } : {}),
    ...(a.selectedOption ? { selected_option: { text: { type: 'plain_text', text: a.selectedOption }, value: a.selectedOption } } : {}),
    ...(a.selectedUser ? { selected_user: a.selectedUser } : {}),
  };
  const payload = {
    type: 'block_actions',
    team: { id: 'T0000001', domain: 'kefu' },
    user: { id: a.user, username: a.user.toLowerCase(), name: a.user.toLowerCase(), team_id: 'T0000001' },
    api_app_id: 'AKEFU',
    token: 'legacy',
    trigger_id: a.triggerId ?? `${Date.now()}.${randomUUID().slice(0, 8)}`,
    container: { type: 'message', message_ts: a.messageTs, channel_id: a.channel, is_ephemeral: false },
    channel: { id: a.channel, name: 'queue' },
    message: { type: 'message', ts: a.messageTs, text: 'card' },
    actions: [action],
  };
  return { form: { payload: JSON.stringify(payload) } };
}

export function slashCommand(c: { user: string; text?: string; channel?: string; triggerId?: string }) {
  return {
    form: {
      token: 'legacy',
      team_id: 'T0000001',
      team_domain: 'kefu',
      channel_id: c.channel ?? 'C00000001',
      channel_name: 'kefu-queue',
      user_id: c.user,
      user_name: c.user.toLowerCase(),
      command: '/kefu',
      text: c.text ?? '',
      api_app_id: 'AKEFU',
      response_url: 'http://127.0.0.1:9/commands/unused',
      trigger_id: c.triggerId ?? `${Date.now()}.${randomUUID().slice(0, 8)}`,
    },
  };
}
