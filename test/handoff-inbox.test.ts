import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HandoffCard } from '../bots/agent-desk.js';
import { conversationKey } from '../core/domain.js';
import type { InboxThreadEntry } from '../core/store/index.js';
import type { ConversationState } from '../workflows/conversation-types.js';
import { ConsoleClient } from './helpers/console-client.js';
import { createHandoffTestAnswerer, waitForHandoff, waitForMessage } from './helpers/handoff.js';
import { eventually, getMessages, postMessage, startTestPlatform, type TestPlatform } from './helpers/platform.js';

const TOKEN = 'inbox-s3cret';

describe('handoff through the local agent inbox', () => {
  let p: TestPlatform;
  // Agents sign in to the console; INBOX_TOKEN is the service credential (it may read, never claim or speak).
  let alice: ConsoleClient;
  let bob: ConsoleClient;
  const basic = (user: string) => `Basic ${Buffer.from(`${user}:${TOKEN}`).toString('base64')}`;

  beforeAll(async () => {
    p = await startTestPlatform({
      answerer: createHandoffTestAnswerer(),
      env: {
        INBOX_TOKEN: TOKEN,
        CONSOLE_USERS: 'alice:agent:alice-pass-123,bob:agent:bob-pass-123',
        HANDOFF_QUEUES: 'general,vip,senior', HANDOFF_ALERT_AFTER: '1h', HANDOFF_ESCALATE_AFTER: '1h', HANDOFF_AGENT_IDLE_REMINDER: '1h',
      },
    });
    alice = new ConsoleClient(p.url);
    bob = new ConsoleClient(p.url);
    expect((await alice.login('alice', 'alice-pass-123')).status).toBe(200);
    expect((await bob.login('bob', 'bob-pass-123')).status).toBe(200);
  });
  afterAll(async () => {
    await p?.stop();
  });

  /** A signed-in agent (their session and CSRF token), or a raw Authorization header (the service token). */
  async function call(method: 'GET' | 'POST', path: string, auth: ConsoleClient | string, body?: unknown) {
    if (auth instanceof ConsoleClient) {
      const r = method === 'GET' ? await auth.getFrom(path) : await auth.postTo(path, body ?? {});
      return { status: r.status, json: (r.body ?? {}) as Record<string, unknown> };
    }
    const res = await fetch(`${p.url}${path}`, {
      method,
      headers: { authorization: auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: (text.startsWith('{') ? JSON.parse(text) : {}) as Record<string, unknown> };
  }
  const thread = async (id: string, auth: ConsoleClient = alice) =>
    ((await call('GET', `/inbox/api/handoffs/${id}`, auth)).json.thread as InboxThreadEntry[]);

  it('when INBOX_TOKEN is set, then the inbox API wants a session or the token, and only a signed-in agent acts', async () => {
    expect(p.agentDesk.kind).toBe('inbox');
    // The page holds no data: it signs agents in through the console.
    const page = await fetch(`${p.url}/inbox`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('agent inbox');
    expect((await fetch(`${p.url}/inbox/api/handoffs`)).status).toBe(401);
    expect((await call('GET', '/inbox/api/handoffs', 'Bearer wrong')).status).toBe(401);
    expect((await call('GET', '/inbox/api/handoffs', `Bearer ${TOKEN}`)).status).toBe(200);
    expect((await call('GET', '/inbox/api/handoffs', alice)).status).toBe(200);
    // The basic-auth user name is whatever the caller typed: the token acts as the service, which may not claim.
    const claim = await call('POST', '/inbox/api/handoffs/any/claim', basic('alice'), {});
    expect(claim.status).toBe(403);
    expect(claim.json).toMatchObject({ error: { code: 'forbidden' } });
    expect((await fetch(`${p.url}/inbox/api/handoffs/any/claim`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
  });

  it('when a customer asks for a person, then agents claim, talk, use a suggestion and resolve in the inbox', async () => {
    const conv = `ib-${randomUUID()}`;
    const key = conversationKey('web', conv);
    await postMessage(p.url, conv, { customerId: 'carol', text: 'I want to talk to a person' });
    const handoff = await waitForHandoff(p, conv, 'waiting');
    const listed = await eventually(async () => {
      const r = await call('GET', '/inbox/api/handoffs', alice);
      return (r.json.handoffs as { id: string; card: HandoffCard | null }[]).find((h) => h.id === handoff.id && h.card);
    });
    expect(listed.card).toMatchObject({ status: 'waiting', language: 'en', queue: 'general', reason: 'Customer asked for a person', channel: 'web' });
    await waitForMessage(p.url, conv, (m) => m.role === 'system' && m.text.includes("You're next in line"), 'queue notice');

    // First claim wins; the signed-in user is the agent.
    expect((await call('POST', `/inbox/api/handoffs/${handoff.id}/claim`, alice, {})).status).toBe(200);
    const second = await call('POST', `/inbox/api/handoffs/${handoff.id}/claim`, bob, {});
    expect(second.status).toBe(409);
    expect(second.json).toMatchObject({ ok: false, reason: 'already_claimed', message: 'alice already has this conversation.' });
    await waitForMessage(p.url, conv, (m) => m.role === 'system' && m.text === 'alice from our team has joined the conversation.', 'joined');
    expect((await p.store.getConversation(key))?.status).toBe('with_agent');

    // Agent → customer, once per client id; bob is not the owner.
    const msg = { text: 'Hi Carol, how can I help?', clientId: 'c-1' };
    expect((await call('POST', `/inbox/api/handoffs/${handoff.id}/messages`, alice, msg)).status).toBe(200);
    expect((await call('POST', `/inbox/api/handoffs/${handoff.id}/messages`, alice, msg)).status).toBe(200);
    expect((await call('POST', `/inbox/api/handoffs/${handoff.id}/messages`, bob, { text: 'me too', clientId: 'c-2' })).json).toMatchObject({ reason: 'not_owner' });
    await waitForMessage(p.url, conv, (m) => m.role === 'agent' && m.text === msg.text, 'agent message');

    // Customer → inbox thread, with a suggestion the agent sends with one click.
    await postMessage(p.url, conv, { customerId: 'carol', text: 'How do returns work?' });
    const suggestion = await eventually(async () => (await thread(handoff.id)).find((e) => e.kind === 'suggestion' && e.payload?.forMessage === 'How do returns work?'));
    expect((await thread(handoff.id)).some((e) => e.kind === 'customer' && e.text === 'How do returns work?')).toBe(true);
    expect(suggestion.payload?.citations).toEqual([{ index: 1, title: 'Returns policy', source: 'kb/returns.md' }]);
    const sid = String(suggestion.payload?.suggestionId);
    expect((await call('POST', `/inbox/api/handoffs/${handoff.id}/suggestions/${sid}/send`, alice, {})).status).toBe(200);
    await waitForMessage(p.url, conv, (m) => m.role === 'agent' && m.text === suggestion.text, 'sent suggestion');
    await eventually(async () => ((await thread(handoff.id)).some((e) => e.kind === 'agent_sent' && e.author === 'alice') ? true : undefined));

    const overview = await call('GET', '/inbox/api/overview', alice);
    expect((overview.json.mine as { id: string }[]).map((h) => h.id)).toEqual([handoff.id]);

    expect((await call('POST', `/inbox/api/handoffs/${handoff.id}/resolve`, alice, {})).status).toBe(200);
    expect(await p.temporal.client.workflow.getHandle(key).result()).toMatchObject({ status: 'closed', closeReason: 'resolved' } satisfies Partial<ConversationState>);
    const agentTexts = (await getMessages(p.url, conv)).filter((m) => m.role === 'agent').map((m) => m.text);
    expect(agentTexts).toEqual([msg.text, suggestion.text]);
    expect((await thread(handoff.id)).filter((e) => e.kind === 'agent').map((e) => e.text)).toEqual([msg.text]);
    expect((await call('POST', `/inbox/api/handoffs/${handoff.id}/claim`, bob, {})).json).toMatchObject({ reason: 'closed' });
  });

  it('when an agent transfers to another queue in the inbox, then the card moves there and is waiting again', async () => {
    const conv = `ib-${randomUUID()}`;
    await postMessage(p.url, conv, { customerId: 'dave', text: '人工' });
    const handoff = await waitForHandoff(p, conv, 'waiting');
    await eventually(async () => ((await call('GET', `/inbox/api/handoffs/${handoff.id}`, alice)).json.card ? true : undefined));
    await call('POST', `/inbox/api/handoffs/${handoff.id}/claim`, alice, {});
    await waitForHandoff(p, conv, 'claimed');
    expect((await call('POST', `/inbox/api/handoffs/${handoff.id}/transfer`, alice, { queue: 'nowhere' })).json).toMatchObject({ reason: 'unknown_queue' });
    expect((await call('POST', `/inbox/api/handoffs/${handoff.id}/transfer`, alice, { queue: 'vip' })).status).toBe(200);
    await eventually(async () => {
      const d = await call('GET', `/inbox/api/handoffs/${handoff.id}`, alice);
      const card = d.json.card as HandoffCard | null;
      return card?.queue === 'vip' && card.status === 'waiting' ? true : undefined;
    });
    await waitForMessage(p.url, conv, (m) => m.role === 'system' && m.text.includes('正在为您转接到「vip」组'), 'transfer notice');
    await call('POST', `/inbox/api/handoffs/${handoff.id}/resolve`, bob, {});
    await waitForHandoff(p, conv, 'resolved');
  });

  it('when the conversation is closed from outside during a handoff, then the handoff ends and the card says closed', async () => {
    const conv = `ib-${randomUUID()}`;
    const key = conversationKey('web', conv);
    await postMessage(p.url, conv, { customerId: 'erin', text: 'agent' });
    const handoff = await waitForHandoff(p, conv, 'waiting');
    await eventually(async () => ((await call('GET', `/inbox/api/handoffs/${handoff.id}`, alice)).json.card ? true : undefined));
    await p.temporal.client.workflow.getHandle(key).signal('close', { reason: 'spam' });
    expect(await p.temporal.client.workflow.getHandle(key).result()).toMatchObject({ status: 'closed', closeReason: 'spam' });
    expect(await p.store.getHandoff(handoff.id)).toMatchObject({ status: 'ended', endedBy: 'spam' });
    const card = (await call('GET', `/inbox/api/handoffs/${handoff.id}`, alice)).json.card as HandoffCard;
    expect(card).toMatchObject({ status: 'closed', note: 'Conversation closed (spam)' });
  });
});
