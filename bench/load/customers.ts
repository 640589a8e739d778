import type { FakeConnector } from '../../test/fakes/bot-connector.js';
import { Inbox } from './inbox.js';
import { postUntilAccepted, sleep } from './retry.js';
import { followEvents } from './sse.js';

export type LoadChannel = 'web' | 'teams';

/** One customer message as the simulated customer saw it. */
export interface SentMessage {
  channel: LoadChannel;
  conversationId: string;
  /** The id the customer's client gave the message (REST messageId, Teams activity id); repeated on every retry. */
  clientId: string;
  sentAt: number;
  attempts: number;
  accepted: boolean;
  /** When the customer saw the reply (SSE event, or the fake Teams connector receiving it). */
  repliedAt?: number;
}

export interface CustomerRun {
  channel: LoadChannel;
  conversationId: string;
  messages: SentMessage[];
  inbox: Inbox;
}

export interface CustomerPlan {
  index: number;
  runId: string;
  messages: number;
  thinkMs: number;
  startDelayMs: number;
  replyTimeoutMs: number;
  deadline: number;
  pick: () => string;
  /** Called after each accepted message (chaos is scheduled on progress). */
  onSent: () => void;
}

const think = (ms: number) => sleep(ms * (0.5 + Math.random()));

async function converse(run: CustomerRun, plan: CustomerPlan, send: (clientId: string, text: string) => Promise<{ ok: boolean; attempts: number }>): Promise<void> {
  await sleep(plan.startDelayMs);
  for (let i = 0; i < plan.messages && Date.now() < plan.deadline; i++) {
    if (i > 0) await think(plan.thinkMs);
    const m: SentMessage = { channel: run.channel, conversationId: run.conversationId, clientId: `m${i}`, sentAt: Date.now(), attempts: 0, accepted: false };
    run.messages.push(m);
    const r = await send(m.clientId, plan.pick());
    m.attempts = r.attempts;
    m.accepted = r.ok;
    if (!r.ok) continue;
    plan.onSent();
    // A customer waits for the answer before asking the next question (turns are sequential, as in a real chat).
    if (await run.inbox.waitFor(i + 1, Math.min(plan.deadline, Date.now() + plan.replyTimeoutMs))) m.repliedAt = run.inbox.arrivals[i];
  }
}

/** A website visitor on the REST channel, reading replies from the event stream like the widget. */
export async function webCustomer(baseUrl: string, plan: CustomerPlan): Promise<CustomerRun> {
  const conversationId = `lw-${plan.runId}-${plan.index}`;
  const customerId = `lc-${plan.runId}-w${plan.index}`;
  const run: CustomerRun = { channel: 'web', conversationId, messages: [], inbox: new Inbox() };
  const endpoint = `${baseUrl}/v1/conversations/${conversationId}`;
  const stream = followEvents(`${endpoint}/events`, (m) => {
    if (m.role === 'bot') run.inbox.push(m.id);
  }, plan.deadline);
  try {
    await converse(run, plan, (clientId, text) => postUntilAccepted(`${endpoint}/messages`, { customerId, text, messageId: clientId }, plan.deadline));
  } finally {
    stream.close();
  }
  return run;
}

const BOT = { id: '28:kefu-load-bot', name: 'kefu' };
const TENANT = 'load-tenant';

/** A Teams user in a personal chat: activities to /api/messages, replies arriving at the fake connector. */
export async function teamsCustomer(baseUrl: string, connectorUrl: string, plan: CustomerPlan, inboxes: Map<string, Inbox>): Promise<CustomerRun> {
  const conversationId = `a:load-${plan.runId}-t${plan.index}`;
  const run: CustomerRun = { channel: 'teams', conversationId, messages: [], inbox: new Inbox() };
  inboxes.set(conversationId, run.inbox);
  const user = `load-${plan.runId}-t${plan.index}`;
  await converse(run, plan, (clientId, text) => postUntilAccepted(`${baseUrl}/api/messages`, {
    type: 'message',
    id: clientId,
    timestamp: new Date().toISOString(),
    serviceUrl: connectorUrl,
    channelId: 'msteams',
    from: { id: `29:${user}`, name: user, aadObjectId: `aad-${user}` },
    conversation: { id: conversationId, conversationType: 'personal', tenantId: TENANT },
    recipient: BOT,
    text,
    textFormat: 'plain',
    locale: /[\u4e00-\u9fff]/.test(text) ? 'zh-CN' : 'en-US',
    channelData: { tenant: { id: TENANT } },
  }, plan.deadline));
  return run;
}

/**
 * Hands the replies the fake connector receives to each Teams customer's inbox. The connector's call log only grows,
 * so one cursor over it is enough (no per-customer scans). The idempotency key (replyToId) identifies a reply, so a
 * reply sent twice shows up as a duplicate.
 */
export function watchConnector(connector: FakeConnector, inboxes: Map<string, Inbox>): { stop(): void } {
  let cursor = 0;
  const timer = setInterval(() => {
    for (; cursor < connector.calls.length; cursor++) {
      const call = connector.calls[cursor]!;
      if (call.activity.type !== 'message' || call.status >= 300) continue;
      inboxes.get(call.conversationId)?.push(call.replyToId ?? `unkeyed-${cursor}`, call.at);
    }
  }, 10);
  return { stop: () => clearInterval(timer) };
}
