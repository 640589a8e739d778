import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversationKey } from '../core/domain.js';
import type { Lead } from '../core/store/index.js';
import { DEFAULT_ROUTING_FILE, parseRoutingTable, type RoutingTable } from '../knowledge/routing/table.js';
import type { ConversationState } from '../workflows/conversation-types.js';
import type { TradeInLeadResult } from '../workflows/trade-in-lead.js';
import { bundleWorkflows } from '../cli/runtime/worker.js';
import { waitForHandoff } from './helpers/handoff.js';
import { eventually, getMessages, postMessage, startTestPlatform, waitForReplies, type TestPlatform } from './helpers/platform.js';

/**
 * Intent routing through the REST channel on a real Temporal server, with the real intent model (trained from
 * config/intents.csv at start), the real routing table and the demo knowledge base: one test per action type.
 */
describe('intent routing in the conversation', () => {
  let p: TestPlatform;
  let table: RoutingTable;
  /** Every conversation this file starts, replayed at the end. */
  const started: string[] = [];
  const newConversation = (): string => {
    const conv = `rt-${randomUUID()}`;
    started.push(conv);
    return conv;
  };

  beforeAll(async () => {
    p = await startTestPlatform();
    table = parseRoutingTable(readFileSync(DEFAULT_ROUTING_FILE, 'utf8'), 'routing.yaml', { queues: ['general', 'senior'], workflows: ['tradeInLead'] });
  });
  afterAll(async () => {
    await p?.stop();
  });

  const state = (conv: string) => p.temporal.client.workflow.getHandle(conversationKey('web', conv)).query<ConversationState>('state');
  const outcomes = async (conv: string) =>
    (await p.store.db.query<{ intent: string | null; citations: number }>('SELECT intent, citations FROM turn_outcomes WHERE conversation_key = $1', [conversationKey('web', conv)])).rows;
  const prompt = (intent: string, language: 'zh' | 'en') => {
    const route = table.routes[intent];
    if (route?.action !== 'clarify') throw new Error(`${intent} is not a clarify route`);
    return route.prompt[language];
  };

  it('when a customer asks a billing question, then the bot answers from the knowledge base with citations and records intent billing', async () => {
    const conv = newConversation();
    await postMessage(p.url, conv, { customerId: 'bill-payer', text: 'Why is my bill so high this month?' });
    const reply = (await waitForReplies(p.url, conv, 1, 30_000)).find((m) => m.role === 'bot');
    expect(reply?.citations).toEqual(expect.arrayContaining([expect.objectContaining({ source: expect.stringMatching(/^knowledge\/demo\/.*bill/) })]));
    expect((await state(conv)).lastAnswer?.intent).toBe('billing');
    expect(await outcomes(conv)).toEqual([{ intent: 'billing', citations: reply?.citations?.length }]);
  });

  it('when a customer complains, then the conversation goes to the senior queue and the bot does not answer', async () => {
    const conv = newConversation();
    await postMessage(p.url, conv, { customerId: 'unhappy', text: '我要投诉你们的服务' });
    const handoff = await waitForHandoff(p, conv);
    expect(handoff).toMatchObject({ queue: 'senior', reason: 'Routed by intent: complaint' });
    // The customer hears from the queue (a system notice), never a bot answer.
    await eventually(async () => ((await getMessages(p.url, conv)).some((m) => m.role === 'system') ? true : undefined));
    expect((await getMessages(p.url, conv)).filter((m) => m.role === 'bot')).toEqual([]);
    expect((await state(conv)).status).toBe('waiting_agent');
    expect(await outcomes(conv)).toEqual([{ intent: 'complaint', citations: 0 }]);
  });

  it('when a customer wants to trade in a phone, then tradeInLead records the lead, posts it to the desk and the customer is acknowledged', async () => {
    const conv = newConversation();
    await postMessage(p.url, conv, { customerId: 'trader', text: '我想用旧手机换购新机，怎么估价？' });
    const reply = (await waitForReplies(p.url, conv, 1)).find((m) => m.role === 'bot');
    const route = table.routes.trade_in;
    // answerFirst: the knowledge base's trade-in article answers the valuation question, then the callback is confirmed.
    expect(route).toMatchObject({ action: 'workflow', answerFirst: true });
    const ack = route?.action === 'workflow' ? route.reply?.zh : undefined;
    expect(ack && reply?.text.endsWith(ack)).toBe(true);
    expect(reply?.text.length).toBeGreaterThan((ack ?? '').length + 10);
    expect((reply?.citations as { title: string }[] | undefined)?.map((c) => c.title)).toEqual([expect.stringContaining('以旧换新')]);

    const lead = await eventually(async () => (await p.store.listLeads({ conversationKey: conversationKey('web', conv) }))[0]);
    expect(lead).toMatchObject({ kind: 'trade_in', customerId: expect.any(String), text: '我想用旧手机换购新机，怎么估价？', intent: 'trade_in', queue: 'general', language: 'zh' });
    // The child has a history of its own: its id comes from the message, its activities recorded the lead and posted it.
    const [customerMessage] = (await getMessages(p.url, conv)).filter((m) => m.role === 'customer');
    expect(lead.workflowId).toBe(`tradeInLead:${customerMessage?.id}`);
    const child = p.temporal.client.workflow.getHandle(lead.workflowId);
    expect(await child.result()).toEqual({ leadId: lead.id, desk: 'inbox' } satisfies TradeInLeadResult);
    expect((await child.describe()).type).toBe('tradeInLead');
    const history = await child.fetchHistory();
    const scheduled = (history.events ?? []).flatMap((e) => (e.activityTaskScheduledEventAttributes?.activityType?.name ? [e.activityTaskScheduledEventAttributes.activityType.name] : []));
    expect(scheduled).toEqual(['recordLead', 'postLeadToDesk']);
    const posted = (await p.store.getLead(lead.id)) as Lead;
    expect(posted).toMatchObject({ desk: 'inbox', postedAt: expect.any(String) });
    const inbox = (await (await fetch(`${p.url}/inbox/api/leads`)).json()) as { leads: Lead[] };
    expect(inbox.leads.map((l) => l.id)).toContain(lead.id);
    expect((await state(conv)).status).toBe('bot');
  });

  it.each([
    ['zh', '你好', 'greeting'],
    ['en', 'hello', 'greeting'],
  ] as const)('when a customer greets in %s, then the greeting prompt comes back in that language without citations', async (language, text, intent) => {
    const conv = newConversation();
    await postMessage(p.url, conv, { customerId: `greeter-${language}`, text });
    const reply = (await waitForReplies(p.url, conv, 1)).find((m) => m.role === 'bot');
    expect(reply?.text).toBe(prompt(intent, language));
    expect(reply?.citations ?? []).toEqual([]);
    expect(await outcomes(conv)).toEqual([{ intent, citations: 0 }]);
  });

  it.each([
    ['zh', '啊啊啊嗯嗯呃呃'],
    ['en', 'blorp zing wuggle'],
  ] as const)('when a customer writes %s gibberish, then the default clarify prompt comes back in that language', async (language, text) => {
    const conv = newConversation();
    await postMessage(p.url, conv, { customerId: `mumbler-${language}`, text });
    const reply = (await waitForReplies(p.url, conv, 1, 30_000)).find((m) => m.role === 'bot');
    expect(reply?.text).toBe(table.default.prompt[language]);
    expect(reply?.citations ?? []).toEqual([]);
    expect(await outcomes(conv)).toEqual([{ intent: null, citations: 0 }]);
  });

  it('when a customer types 转人工, then the keyword handoff still takes it before any routing', async () => {
    const conv = newConversation();
    await postMessage(p.url, conv, { customerId: 'keyword', text: '转人工' });
    const handoff = await waitForHandoff(p, conv);
    expect(handoff).toMatchObject({ queue: 'general', reason: 'Customer asked for a person' });
    expect(await outcomes(conv)).toEqual([]);
  });

  it('when the conversations of every route are replayed with this workflow code, then none is nondeterministic', async () => {
    const histories = await Promise.all(started.map(async (conv) => {
      const handle = p.temporal.client.workflow.getHandle(conversationKey('web', conv));
      return { workflowId: handle.workflowId, history: await handle.fetchHistory() };
    }));
    const results = [];
    for await (const r of Worker.runReplayHistories({ workflowBundle: await bundleWorkflows() }, histories)) results.push(r);
    expect(results.map((r) => r.error)).toEqual(started.map(() => undefined));
  });
});
