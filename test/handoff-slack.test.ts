import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESK_ACTIONS } from '../bots/agent-desk.js';
import { conversationKey } from '../core/domain.js';
import { requestHandoffSignal } from '../workflows/conversation.js';
import type { ConversationState } from '../workflows/conversation-types.js';
import { startFakeSlackApi, messageText, type FakeSlackApi, type SlackCall } from './fakes/slack-api.js';
import { createHandoffTestAnswerer, waitForHandoff, waitForMessage } from './helpers/handoff.js';
import { eventually, getMessages, postMessage, startTestPlatform, waitForReplies, type TestPlatform } from './helpers/platform.js';
import { blockAction, messageEvent, postToSlackEndpoint, slashCommand } from './helpers/slack.js';

const SECRET = 'handoff-slack-secret';
const LI = { id: 'UAGENTLI', name: 'li', displayName: 'Li Na' };
const BOB = { id: 'UAGENTBOB', name: 'bob', displayName: 'Bob' };

describe('handoff to agents in Slack', () => {
  let p: TestPlatform;
  let slack: FakeSlackApi;
  const answerer = createHandoffTestAnswerer();

  beforeAll(async () => {
    slack = await startFakeSlackApi({ users: [LI, BOB] });
    p = await startTestPlatform({
      answerer,
      shutdownGraceTime: '500ms',
      env: {
        SLACK_BOT_TOKEN: 'xoxb-test-token',
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_API_URL: slack.url,
        SLACK_QUEUE_CHANNEL: 'kefu-queue',
        SLACK_SUPERVISOR_CHANNEL: 'kefu-sup',
        HANDOFF_QUEUES: 'general,billing=kefu-billing,senior',
        // SLA timers far away here; handoff-sla.test.ts exercises them.
        HANDOFF_ALERT_AFTER: '1h',
        HANDOFF_ESCALATE_AFTER: '2h',
        HANDOFF_QUEUE_UPDATE_EVERY: '1h',
        HANDOFF_AGENT_IDLE_REMINDER: '1h',
      },
    });
  });
  afterAll(async () => {
    await p?.stop();
    await slack?.close();
  });

  const send = (body: Parameters<typeof postToSlackEndpoint>[2], opts?: Parameters<typeof postToSlackEndpoint>[3]) => postToSlackEndpoint(p.url, SECRET, body, opts);
  const drain = () => p.agentDesk.slack?.receiver?.drain();
  /** The card posted for a handoff: the chat.postMessage whose Claim button carries its id. */
  const cardFor = (handoffId: string, channel = 'kefu-queue') =>
    slack.waitFor('chat.postMessage', (c) => c.args.channel === channel && !c.args.thread_ts && messageText(c).includes(`"value":"${handoffId}"`));
  const click = (card: SlackCall, user: string, actionId: string, value: string, extra: Partial<Parameters<typeof blockAction>[0]> = {}) =>
    send(blockAction({ user, channel: String(card.result.channel), messageTs: String(card.result.ts), actionId, value, ...extra }));
  const threadPosts = (card: SlackCall) => slack.callsOf('chat.postMessage').filter((c) => c.args.thread_ts === card.result.ts);

  async function handOff(conv: string, first = '我的订单 12345 还没到', ask = '转人工') {
    await postMessage(p.url, conv, { customerId: `cust-${conv}`, text: first });
    await waitForReplies(p.url, conv, 1);
    await postMessage(p.url, conv, { customerId: `cust-${conv}`, text: ask });
    const handoff = await waitForHandoff(p, conv);
    const card = await cardFor(handoff.id);
    return { handoff, card };
  }

  it('when a REST customer asks for a person, then queue, claim, two-way relay, agent assist and resolve all work', async () => {
    const conv = `s-${randomUUID()}`;
    const key = conversationKey('web', conv);
    const { handoff, card } = await handOff(conv);

    // The card: customer, channel, language, summary with the order number, the last messages, the buttons.
    const text = messageText(card);
    for (const t of ['web', '中文', '12345', 'Customer asked for a person', DESK_ACTIONS.claim, DESK_ACTIONS.transfer, DESK_ACTIONS.resolve]) expect(text).toContain(t);
    // The customer hears they are queued, in Chinese; the bot did not answer "转人工".
    await waitForMessage(p.url, conv, (m) => m.role === 'system' && m.text.includes('正在为您转接人工客服'), 'queue notice');
    expect(answerer.calls).not.toContain('转人工');
    expect((await p.store.getConversation(key))?.status).toBe('waiting_agent');
    expect((await p.temporal.client.workflow.getHandle(key).query<ConversationState>('state')).status).toBe('waiting_agent');

    // Claim: the card updates, a thread note, and the customer is told who joined.
    expect((await click(card, LI.id, DESK_ACTIONS.claim, handoff.id)).status).toBe(200);
    await slack.waitFor('chat.update', (c) => c.args.ts === card.result.ts && messageText(c).includes(`claimed by <@${LI.id}>`));
    await waitForMessage(p.url, conv, (m) => m.role === 'system' && m.text.includes('客服 Li Na 已接入'), 'agent joined notice');
    await eventually(async () => ((await p.store.getConversation(key))?.status === 'with_agent' ? true : undefined));
    expect((await p.temporal.client.workflow.getHandle(key).query<ConversationState>('state')).status).toBe('with_agent');

    // Agent → customer: a thread reply, in plain text; Slack's retry and a re-delivery under a new event id relay once.
    const reply = messageEvent({ channel: String(card.result.channel), user: LI.id, text: '您好 &amp; 请看 <https://t.test/1|物流>', ts: '1800000001.000100', threadTs: String(card.result.ts) });
    expect((await send(reply)).status).toBe(200);
    await waitForMessage(p.url, conv, (m) => m.role === 'agent' && m.text === '您好 & 请看 物流 (https://t.test/1)', 'agent reply');
    await send(reply, { retryNum: 1 });
    await send(messageEvent({ channel: String(card.result.channel), user: LI.id, text: '您好 &amp; 请看 <https://t.test/1|物流>', ts: '1800000001.000100', threadTs: String(card.result.ts) }));
    // An internal note stays in Slack.
    await send(messageEvent({ channel: String(card.result.channel), user: LI.id, text: '// 客户很着急', ts: '1800000001.000200', threadTs: String(card.result.ts) }));
    await drain();

    // Customer → agent: into the thread, with a suggested reply from the knowledge base; the bot stays silent.
    const botRepliesBefore = (await getMessages(p.url, conv)).filter((m) => m.role === 'bot').length;
    await postMessage(p.url, conv, { customerId: `cust-${conv}`, text: '退货运费谁出？' });
    await slack.waitFor('chat.postMessage', (c) => c.args.thread_ts === card.result.ts && String(c.args.text).includes('退货运费谁出？'));
    const suggestion = await slack.waitFor('chat.postMessage', (c) => c.args.thread_ts === card.result.ts && messageText(c).includes(DESK_ACTIONS.sendSuggestion) && messageText(c).includes('退货政策'));
    const value = /"value":"([^"]+\|[^"]+)"/.exec(messageText(suggestion))?.[1] as string;

    // "Send this reply", twice: the customer gets it once, as the agent's reply with its citation.
    await click(suggestion, LI.id, DESK_ACTIONS.sendSuggestion, value);
    await click(suggestion, LI.id, DESK_ACTIONS.sendSuggestion, value);
    const sent = await waitForMessage(p.url, conv, (m) => m.role === 'agent' && m.text.startsWith('质量问题退货'), 'suggested reply');
    expect(sent.citations).toEqual([{ index: 1, title: '退货政策', source: 'kb/returns.md' }]);
    await slack.waitFor('chat.postMessage', (c) => c.args.thread_ts === card.result.ts && String(c.args.text).includes('Sent to the customer by *Li Na*'));
    await drain();

    // Resolve: the card says so, the customer is told, and the conversation closes as resolved.
    await click(card, LI.id, DESK_ACTIONS.resolve, handoff.id);
    const result = (await p.temporal.client.workflow.getHandle(key).result()) as ConversationState;
    expect(result).toMatchObject({ status: 'closed', closeReason: 'resolved' });
    await slack.waitFor('chat.update', (c) => c.args.ts === card.result.ts && messageText(c).includes('resolved'));
    const messages = await getMessages(p.url, conv);
    expect(messages.filter((m) => m.role === 'agent').map((m) => m.text)).toEqual(['您好 & 请看 物流 (https://t.test/1)', sent.text]);
    expect(messages.filter((m) => m.role === 'bot')).toHaveLength(botRepliesBefore);
    expect(messages.at(-1)?.text).toContain('本次人工服务已结束');
    expect(await p.store.getConversation(key)).toMatchObject({ status: 'closed', closeReason: 'resolved' });
    expect(await p.store.getHandoff(handoff.id)).toMatchObject({ status: 'resolved', agentId: LI.id, agentName: 'Li Na', endedBy: 'Li Na' });
    expect((await p.store.listAgentRelays(handoff.id)).map((r) => r.sourceId)).toEqual([
      `slack:${card.result.channel}:1800000001.000100`,
      expect.stringMatching(/^suggestion:/),
    ]);
  });

  it('when two agents claim at once, then one wins and the other is told privately who has it', async () => {
    const conv = `s-${randomUUID()}`;
    const { handoff, card } = await handOff(conv, 'Where is my parcel?', 'agent');
    await Promise.all([click(card, LI.id, DESK_ACTIONS.claim, handoff.id), click(card, BOB.id, DESK_ACTIONS.claim, handoff.id)]);
    const refusal = await slack.waitFor('chat.postEphemeral', (c) => String(c.args.text).includes('already has this conversation'));
    const loser = String(refusal.args.user);
    const winner = loser === LI.id ? BOB : LI;
    expect(refusal.args.text).toBe(`${winner.displayName} already has this conversation.`);
    await eventually(async () => ((await p.store.getHandoff(handoff.id))?.agentId === winner.id ? true : undefined));
    // Exactly one "joined" notice reached the customer.
    await waitForMessage(p.url, conv, (m) => m.role === 'system' && m.text.includes('has joined'), 'joined notice');
    await drain();
    expect((await getMessages(p.url, conv)).filter((m) => m.text.includes('has joined'))).toHaveLength(1);

    // The loser's thread reply is not relayed, and they are told why.
    await send(messageEvent({ channel: String(card.result.channel), user: loser, text: 'I can help', ts: '1800000002.000100', threadTs: String(card.result.ts) }));
    await slack.waitFor('chat.postEphemeral', (c) => c.args.user === loser && String(c.args.text).startsWith('Not sent to the customer'));
    expect((await getMessages(p.url, conv)).some((m) => m.text === 'I can help')).toBe(false);
    await click(card, winner.id, DESK_ACTIONS.resolve, handoff.id);
    await waitForHandoff(p, conv, 'resolved');
  });

  it('when an agent transfers to another queue and then to a colleague, then a new card appears and the colleague owns it', async () => {
    const conv = `s-${randomUUID()}`;
    const { handoff, card } = await handOff(conv, 'I was charged twice', 'talk to a person');
    await click(card, LI.id, DESK_ACTIONS.claim, handoff.id);
    await waitForHandoff(p, conv, 'claimed');

    await click(card, LI.id, DESK_ACTIONS.transfer, handoff.id);
    const picker = await slack.waitFor('chat.postEphemeral', (c) => c.args.user === LI.id && messageText(c).includes(DESK_ACTIONS.transferQueue));
    expect(messageText(picker)).toContain(`${handoff.id}|billing`);
    await click(card, LI.id, DESK_ACTIONS.transferQueue, '', { selectedOption: `${handoff.id}|billing` });
    const billingCard = await cardFor(handoff.id, 'kefu-billing');
    await slack.waitFor('chat.update', (c) => c.args.ts === card.result.ts && messageText(c).includes('Transferred to billing by Li Na'));
    await waitForMessage(p.url, conv, (m) => m.role === 'system' && m.text.includes("I'm transferring you to our billing team"), 'transfer notice');
    expect(await p.store.getHandoff(handoff.id)).toMatchObject({ status: 'waiting', queue: 'billing', agentId: null });

    await click(billingCard, BOB.id, DESK_ACTIONS.transferAgent, '', { blockId: `transfer:${handoff.id}`, selectedUser: LI.id });
    await slack.waitFor('chat.postMessage', (c) => c.args.thread_ts === billingCard.result.ts && String(c.args.text).includes(`<@${LI.id}>`) && String(c.args.text).includes('transferred this conversation to Li Na'));
    await waitForMessage(p.url, conv, (m) => m.role === 'system' && m.text.includes("You've been transferred to Li Na"), 'transferred to agent notice');
    expect(await p.store.getHandoff(handoff.id)).toMatchObject({ status: 'claimed', agentId: LI.id });

    // A reply in the old card's thread still reaches the customer: both threads belong to the handoff.
    await send(messageEvent({ channel: String(card.result.channel), user: LI.id, text: 'Refund on its way', ts: '1800000003.000100', threadTs: String(card.result.ts) }));
    await waitForMessage(p.url, conv, (m) => m.role === 'agent' && m.text === 'Refund on its way', 'reply from the old thread');
    await click(billingCard, LI.id, DESK_ACTIONS.resolve, handoff.id);
    await waitForHandoff(p, conv, 'resolved');
  });

  it('when an agent runs /kefu, then they see each queue and their own conversations', async () => {
    const conv = `s-${randomUUID()}`;
    const { handoff, card } = await handOff(conv, 'hello', 'human');
    await click(card, BOB.id, DESK_ACTIONS.claim, handoff.id);
    await waitForHandoff(p, conv, 'claimed');
    const r = await send(slashCommand({ user: BOB.id }));
    expect(r.status).toBe(200);
    const body = JSON.parse(r.body) as { response_type: string; blocks: unknown[] };
    expect(body.response_type).toBe('ephemeral');
    const text = JSON.stringify(body.blocks);
    expect(text).toContain('*general*');
    expect(text).toContain('*billing*');
    expect(text).toContain(conversationKey('web', conv));
    await click(card, BOB.id, DESK_ACTIONS.resolve, handoff.id);
    await waitForHandoff(p, conv, 'resolved');
  });

  it('when the bot cannot answer twice in a row, then the conversation is handed off without a second "reply agent"', async () => {
    const conv = `s-${randomUUID()}`;
    await postMessage(p.url, conv, { customerId: 'cust-u', text: 'what about ??? one' });
    await waitForReplies(p.url, conv, 1);
    await postMessage(p.url, conv, { customerId: 'cust-u', text: 'and ??? two' });
    const handoff = await waitForHandoff(p, conv);
    expect(handoff.reason).toBe('The bot could not answer 2 times in a row');
    const card = await cardFor(handoff.id);
    await waitForMessage(p.url, conv, (m) => m.role === 'system' && m.text.includes('connecting you'), 'queue notice');
    expect((await getMessages(p.url, conv)).filter((m) => m.role === 'bot')).toHaveLength(1);
    await click(card, LI.id, DESK_ACTIONS.resolve, handoff.id);
    await waitForHandoff(p, conv, 'resolved');
  });

  it('when risk detection requests a handoff, then the card carries its flags and priority', async () => {
    const conv = `s-${randomUUID()}`;
    await postMessage(p.url, conv, { customerId: 'cust-r', text: 'I will sue you' });
    await waitForReplies(p.url, conv, 1);
    await p.temporal.client.workflow.getHandle(conversationKey('web', conv)).signal(requestHandoffSignal, { reason: 'Risk: legal threat', queue: 'billing', priority: 2, riskFlags: ['legal_threat'] });
    const handoff = await waitForHandoff(p, conv);
    const card = await cardFor(handoff.id, 'kefu-billing');
    expect(messageText(card)).toContain('legal_threat');
    expect(messageText(card)).toContain('P2');
    expect(handoff).toMatchObject({ queue: 'billing', priority: 2, riskFlags: ['legal_threat'] });
    await click(card, LI.id, DESK_ACTIONS.resolve, handoff.id);
    await waitForHandoff(p, conv, 'resolved');
  });

  it('when the worker restarts during a handoff, then a claim and a reply made meanwhile take effect once it is back', async () => {
    const conv = `s-${randomUUID()}`;
    const { handoff, card } = await handOff(conv, '包裹丢了', '人工');
    await p.stopWorker();
    // Slack gets its acknowledgement at once; the claim waits for the workflow.
    expect((await click(card, LI.id, DESK_ACTIONS.claim, handoff.id)).status).toBe(200);
    await postMessage(p.url, conv, { customerId: `cust-${conv}`, text: '还在吗' });
    await p.startWorker();
    await slack.waitFor('chat.update', (c) => c.args.ts === card.result.ts && messageText(c).includes(`claimed by <@${LI.id}>`), 30_000);
    await slack.waitFor('chat.postMessage', (c) => c.args.thread_ts === card.result.ts && String(c.args.text).includes('还在吗'));
    await send(messageEvent({ channel: String(card.result.channel), user: LI.id, text: '在的，马上帮您查', ts: '1800000004.000100', threadTs: String(card.result.ts) }));
    await waitForMessage(p.url, conv, (m) => m.role === 'agent' && m.text === '在的，马上帮您查', 'agent reply after restart');
    await drain();
    const messages = await getMessages(p.url, conv);
    expect(messages.filter((m) => m.text.includes('已接入'))).toHaveLength(1);
    expect(threadPosts(card).filter((c) => String(c.args.text).startsWith('👤') && String(c.args.text).includes('还在吗'))).toHaveLength(1);
    await click(card, LI.id, DESK_ACTIONS.resolve, handoff.id);
    await waitForHandoff(p, conv, 'resolved');
  });

  it('when requests to /slack/events are unsigned or stale, then the platform refuses them', async () => {
    const ev = messageEvent({ channel: 'C1', user: LI.id, text: 'x', ts: '1.1', threadTs: '0.5' });
    expect((await send(ev, { unsigned: true })).status).toBe(401);
    expect((await send(ev, { timestamp: Math.floor(Date.now() / 1000) - 301 })).status).toBe(401);
  });
});
