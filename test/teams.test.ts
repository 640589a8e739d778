import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TeamsCredentialsFactory } from '../bots/teams/index.js';
import { conversationKey, type AnswerResult, type Citation } from '../core/domain.js';
import type { Answerer } from '../knowledge/answerer.js';
import { createEchoAnswerer } from './helpers/answerers.js';
import { eventually, startTestPlatform, type TestPlatform } from './helpers/platform.js';
import { cardOf, startFakeConnector, type FakeConnector } from './fakes/bot-connector.js';
import { startFakeBotFrameworkIssuer } from './fakes/bot-framework-auth.js';

const BOT_ID = '28:kefu-bot';
const TENANT = 'tenant-1';
const CITATIONS: Citation[] = [
  { index: 1, title: 'Returns policy', source: 'https://help.example.com/returns', section: 'Refunds' },
  { index: 2, title: '配送说明', source: 'faq/shipping.md' },
];

/** The echo answerer (held and released on demand), answering in the question's language with two citations. */
function createCitingAnswerer() {
  const echo = createEchoAnswerer();
  const answerer: Answerer = {
    async answer(q): Promise<AnswerResult> {
      const a = await echo.answerer.answer(q);
      return { ...a, text: a.language === 'zh' ? `回答：${q.text}` : a.text, citations: CITATIONS };
    },
  };
  return { ...echo, answerer };
}

let seq = 0;
type ConversationType = 'personal' | 'channel' | 'groupChat';

function activity(serviceUrl: string, o: {
  type?: string; conversationId: string; conversationType?: ConversationType; user?: string; text?: string; locale?: string;
  entities?: unknown[]; attachments?: unknown[]; value?: unknown; membersAdded?: unknown[]; id?: string;
}) {
  const user = o.user ?? 'alice';
  const group = o.conversationType && o.conversationType !== 'personal';
  return {
    type: o.type ?? 'message',
    id: o.id ?? `${Date.now()}${++seq}`,
    timestamp: new Date().toISOString(),
    serviceUrl,
    channelId: 'msteams',
    from: { id: `29:${user}`, name: user, aadObjectId: `aad-${user}` },
    conversation: { id: o.conversationId, conversationType: o.conversationType ?? 'personal', tenantId: TENANT, ...(group ? { isGroup: true } : {}) },
    recipient: { id: BOT_ID, name: 'kefu' },
    text: o.text,
    textFormat: 'plain',
    locale: o.locale ?? 'en-US',
    entities: o.entities,
    attachments: o.attachments,
    value: o.value,
    membersAdded: o.membersAdded,
    channelData: { tenant: { id: TENANT } },
  };
}

async function post(url: string, body: unknown, authorization?: string) {
  const res = await fetch(`${url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

const mention = { type: 'mention', mentioned: { id: BOT_ID, name: 'kefu' }, text: '<at>kefu</at>' };

function waitForMessages(connector: FakeConnector, conversationId: string, count: number) {
  return eventually(async () => {
    const m = connector.messages(conversationId);
    return m.length >= count ? m : undefined;
  }, 30_000, `${count} Teams messages in ${conversationId}`);
}

describe('Teams channel (anonymous, local development)', () => {
  let p: TestPlatform;
  let connector: FakeConnector;
  const bot = createCitingAnswerer();

  beforeAll(async () => {
    connector = await startFakeConnector();
    p = await startTestPlatform({ answerer: bot.answerer });
  });
  afterAll(async () => {
    await p?.stop();
    await connector?.close();
  });

  it('when no app id is configured, then the endpoint runs anonymously and says so', () => {
    expect(p.channels.teams.anonymous).toBe(true);
    expect(p.channels.teams.describe()).toContain('anonymous');
  });

  it('when a customer writes in a personal chat, then the answer arrives later as a proactive Adaptive Card with sources and a button', async () => {
    const conv = `a:${randomUUID()}`;
    bot.hold();
    const res = await post(p.url, activity(connector.url, { conversationId: conv, text: 'Where is my parcel?' }));
    expect(res.status).toBe(200);
    // The HTTP turn is over and the answer is still being prepared: only the typing indicator has been sent.
    expect(connector.calls.filter((c) => c.conversationId === conv).map((c) => c.activity.type)).toEqual(['typing']);
    expect(connector.messages(conv)).toEqual([]);
    bot.release();

    const [reply] = await waitForMessages(connector, conv, 1);
    const key = conversationKey('teams', conv);
    const transcript = await p.store.listMessages(key);
    expect(transcript.map((m) => [m.role, m.text])).toEqual([['customer', 'Where is my parcel?'], ['bot', 'answer to: Where is my parcel?']]);
    // The reply travels as a proactive send carrying the delivery's idempotency key.
    expect(reply!.replyToId).toBe(`reply:${transcript[0]!.id}`);
    expect(reply!.activity.locale).toBe('en-US');
    const card = cardOf(reply!);
    expect(card.body.map((b) => b.text)).toEqual([
      'answer to: Where is my parcel?',
      'Sources',
      '[1] [Returns policy · Refunds](https://help.example.com/returns)',
      '[2] 配送说明 (faq/shipping.md)',
    ]);
    expect(card.actions).toEqual([{ type: 'Action.Submit', title: 'Talk to a person', data: { action: 'handoff' } }]);

    const conversation = await p.store.getConversation(key);
    expect(conversation?.replyTarget).toMatchObject({ serviceUrl: connector.url, channelId: 'msteams', conversation: { id: conv }, bot: { id: BOT_ID } });
    // The connector has the card before the worker records the send: wait for the record, not for a second try.
    const delivery = await eventually(async () => {
      const d = await p.store.getDelivery(`reply:${transcript[0]!.id}`);
      return d?.status === 'sent' ? d : undefined;
    });
    expect(delivery).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('when a customer writes Chinese, then the card is in Chinese', async () => {
    const conv = `a:${randomUUID()}`;
    await post(p.url, activity(connector.url, { conversationId: conv, text: '我的订单在哪里？', locale: 'zh-CN', user: 'zhang' }));
    const [reply] = await waitForMessages(connector, conv, 1);
    const card = cardOf(reply!);
    expect(card.body.map((b) => b.text).slice(0, 2)).toEqual(['回答：我的订单在哪里？', '参考来源']);
    expect(card.actions.map((a) => a.title)).toEqual(['转人工']);
    expect(reply!.activity.locale).toBe('zh-CN');
  });

  it('when the customer presses the handoff button, then the conversation receives a request for a person', async () => {
    const zh = `a:${randomUUID()}`;
    await post(p.url, activity(connector.url, { conversationId: zh, text: '退款多久到账？', locale: 'zh-CN', user: 'li' }));
    await waitForMessages(connector, zh, 1);
    // Action.Submit posts a message activity with the button's data as its value and no text.
    const res = await post(p.url, activity(connector.url, { conversationId: zh, user: 'li', locale: 'zh-CN', value: { action: 'handoff' } }));
    expect(res.status).toBe(200);
    // Stored before Teams gets its 200; what the workflow does with it is the handoff's business.
    const zhCustomer = (await p.store.listMessages(conversationKey('teams', zh))).filter((m) => m.role === 'customer');
    expect(zhCustomer.map((m) => m.text)).toEqual(['退款多久到账？', '人工']);

    const en = `a:${randomUUID()}`;
    expect((await post(p.url, activity(connector.url, { conversationId: en, user: 'sam', value: { action: 'handoff' } }))).status).toBe(200);
    const enCustomer = (await p.store.listMessages(conversationKey('teams', en))).filter((m) => m.role === 'customer');
    expect(enCustomer.map((m) => m.text)).toEqual(['agent']);
  });

  it('when the bot is added to a personal chat, then it welcomes the customer once in their language and stores the reference', async () => {
    const zh = `a:${randomUUID()}`;
    const update = activity(connector.url, { type: 'conversationUpdate', conversationId: zh, user: 'wang', locale: 'zh-cn', membersAdded: [{ id: BOT_ID }] });
    expect((await post(p.url, update)).status).toBe(200);
    expect((await post(p.url, update)).status).toBe(200);
    const welcomes = connector.messages(zh);
    expect(welcomes).toHaveLength(1);
    expect(welcomes[0]!.activity.text).toMatch(/^您好！我是智能客服/);
    const conversation = await p.store.getConversation(conversationKey('teams', zh));
    expect(conversation).toMatchObject({ language: 'zh', status: 'bot', replyTarget: { serviceUrl: connector.url, conversation: { id: zh } } });
    expect((await p.store.listMessages(conversationKey('teams', zh))).map((m) => m.role)).toEqual(['bot']);

    const en = `a:${randomUUID()}`;
    await post(p.url, activity(connector.url, { type: 'conversationUpdate', conversationId: en, user: 'kim', membersAdded: [{ id: BOT_ID }] }));
    expect(connector.messages(en).map((m) => m.activity.text)).toEqual([expect.stringMatching(/^Hi! I'm the support assistant/)]);
  });

  it('when a channel message does not mention the bot, then it is ignored; when it does, the mention is removed', async () => {
    const thread = `19:${randomUUID()}@thread.tacv2;messageid=1`;
    const ignored = await post(p.url, activity(connector.url, { conversationId: thread, conversationType: 'channel', user: 'bob', text: 'anyone know the wifi password?' }));
    expect(ignored.status).toBe(200);
    await post(p.url, activity(connector.url, {
      conversationId: thread, conversationType: 'channel', user: 'bob', text: '<at>kefu</at> where is my refund?', entities: [mention],
    }));
    const [reply] = await waitForMessages(connector, thread, 1);
    expect(cardOf(reply!).body[0]!.text).toBe('answer to: where is my refund?');
    // Each person in a channel thread is a conversation of their own.
    const key = conversationKey('teams', `${thread}|aad-bob`);
    expect((await p.store.listMessages(key)).filter((m) => m.role === 'customer').map((m) => m.text)).toEqual(['where is my refund?']);
    expect(connector.calls.filter((c) => c.conversationId === thread && c.activity.type === 'typing')).toHaveLength(1);
  });

  it('when a customer sends a file and an image, then references are stored, not bytes', async () => {
    const conv = `a:${randomUUID()}`;
    await post(p.url, activity(connector.url, {
      conversationId: conv,
      user: 'erin',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.teams.file.download.info',
          name: 'invoice.pdf',
          contentUrl: 'https://contoso.sharepoint.com/personal/erin/Documents/invoice.pdf',
          content: { downloadUrl: 'https://contoso.sharepoint.com/download?token=secret', uniqueId: 'file-123', fileType: 'pdf' },
        },
        { contentType: 'image/png', name: 'screenshot.png', contentUrl: 'https://smba.example.net/v3/attachments/img-1/views/original' },
        { contentType: 'text/html', content: '<div>the message as HTML</div>' },
      ],
    }));
    await waitForMessages(connector, conv, 1);
    const rows = await p.store.db.query<{ text: string; attachments: unknown }>(
      "SELECT text, attachments FROM messages WHERE conversation_key = $1 AND role = 'customer'", [conversationKey('teams', conv)]);
    expect(rows.rows).toEqual([{
      text: '[file: invoice.pdf] [image: screenshot.png]',
      attachments: [
        { kind: 'file', name: 'invoice.pdf', contentType: 'pdf', ref: 'file-123' },
        { kind: 'image', name: 'screenshot.png', contentType: 'image/png', ref: 'https://smba.example.net/v3/attachments/img-1/views/original' },
      ],
    }]);
  });

  it('when Teams delivers the same activity twice, then it is answered once', async () => {
    const conv = `a:${randomUUID()}`;
    const first = activity(connector.url, { conversationId: conv, user: 'dup', text: 'first question' });
    const results = await Promise.all([post(p.url, first), post(p.url, first)]);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    await post(p.url, activity(connector.url, { conversationId: conv, user: 'dup', text: 'second question' }));
    const replies = await waitForMessages(connector, conv, 2);
    expect(replies.map((r) => cardOf(r).body[0]!.text)).toEqual(['answer to: first question', 'answer to: second question']);
  });

  it('when the connector fails with 500, then the reply is retried and delivered once', async () => {
    const conv = `a:${randomUUID()}`;
    connector.fail(conv, 500);
    await post(p.url, activity(connector.url, { conversationId: conv, user: 'flaky', text: 'are you there?' }));
    const [question] = await eventually(async () => {
      const m = await p.store.listMessages(conversationKey('teams', conv));
      return m.length ? m : undefined;
    });
    const key = `reply:${question!.id}`;
    // The SDK's own retries run out, the deliver activity records the error and Temporal schedules another attempt.
    await eventually(async () => ((await p.store.getDelivery(key))?.lastError?.includes('500') ? true : undefined), 30_000, 'a recorded 500');
    connector.recover(conv);
    await eventually(async () => ((await p.store.getDelivery(key))?.status === 'sent' ? true : undefined), 30_000, 'the delivery to be sent');
    expect(connector.messages(conv)).toHaveLength(1);
    expect(connector.calls.filter((c) => c.conversationId === conv && c.status === 500).length).toBeGreaterThan(0);
    expect((await p.store.getDelivery(key))?.attempts).toBeGreaterThanOrEqual(2);
  });

  it('when the connector refuses with 403, then the delivery is marked failed and the conversation goes on', async () => {
    const conv = `a:${randomUUID()}`;
    connector.fail(conv, 403);
    await post(p.url, activity(connector.url, { conversationId: conv, user: 'blocker', text: 'hello?' }));
    const key = conversationKey('teams', conv);
    const failed = await eventually(async () => {
      const d = (await p.store.listDeliveries(key))[0];
      return d?.status === 'failed' ? d : undefined;
    }, 30_000, 'a failed delivery');
    expect(failed.lastError).toMatch(/HTTP 403/);
    expect(failed.attempts).toBe(1);
    expect(connector.messages(conv)).toEqual([]);

    connector.recover(conv);
    await post(p.url, activity(connector.url, { conversationId: conv, user: 'blocker', text: 'now?' }));
    const [reply] = await waitForMessages(connector, conv, 1);
    expect(cardOf(reply!).body[0]!.text).toBe('answer to: now?');
  });

  it('when a message is sent long after the customer wrote, then it reaches them through the stored reference', async () => {
    const conv = `a:${randomUUID()}`;
    await post(p.url, activity(connector.url, { conversationId: conv, user: 'later', text: 'ping me when it ships' }));
    await waitForMessages(connector, conv, 1);
    const conversation = await p.store.getConversation(conversationKey('teams', conv));
    const result = await p.senders.teams!.send(conversation!, { idempotencyKey: 'outreach:shipped-1', text: 'Your parcel has shipped.', language: 'en', citations: [] });
    const messages = connector.messages(conv);
    expect(messages).toHaveLength(2);
    expect(messages[1]!.replyToId).toBe('outreach:shipped-1');
    expect(cardOf(messages[1]!).body.map((b) => b.text)).toEqual(['Your parcel has shipped.']);
    expect(result.channelMessageId).toMatch(/^activity-/);
  });

  it('when a person has taken over the conversation, then cards no longer offer the handoff button', async () => {
    const conv = `a:${randomUUID()}`;
    await post(p.url, activity(connector.url, { conversationId: conv, user: 'taken', text: 'I need help' }));
    await waitForMessages(connector, conv, 1);
    const key = conversationKey('teams', conv);
    await p.store.setConversationStatus(key, 'with_agent');
    await p.senders.teams!.send((await p.store.getConversation(key))!, { idempotencyKey: 'agent:1', text: 'Hi, Mei from support here.', language: 'en', citations: [] });
    const [first, agent] = connector.messages(conv);
    expect(cardOf(first!).actions).toHaveLength(1);
    expect(cardOf(agent!).actions).toEqual([]);
  });

  it('when Teams sends an invoke the bot does not offer, then it answers 501 and stores nothing', async () => {
    const conv = `a:${randomUUID()}`;
    const res = await post(p.url, { ...activity(connector.url, { type: 'invoke', conversationId: conv }), name: 'adaptiveCard/action' });
    expect(res.status).toBe(501);
    expect(res.body).toEqual({ error: { code: 'not_implemented', message: expect.any(String) } });
    expect(await p.store.getConversation(conversationKey('teams', conv))).toBeNull();
  });

  it('when the body is not an activity, then it is refused with 400 and nothing is stored', async () => {
    const res = await fetch(`${p.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[1,2]' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: 'invalid_request', message: expect.any(String) } });
    const noType = await post(p.url, { text: 'hi', conversation: { id: 'a:x' } });
    expect(noType.status).toBe(400);
  });
});

describe('Teams channel with a Microsoft app id', () => {
  const APP_ID = '6b2a61e5-0000-4000-8000-00000000c0de';
  let p: TestPlatform;
  let connector: FakeConnector;
  let issuer: Awaited<ReturnType<typeof startFakeBotFrameworkIssuer>>;
  // Outbound calls would fetch an Azure AD token; in tests they carry a fixed one the connector can check.
  const credentialsFactory: TeamsCredentialsFactory = {
    isValidAppId: async (appId) => appId === APP_ID,
    isAuthenticationDisabled: async () => false,
    createCredentials: async () => ({
      signRequest: async (request) => {
        request.headers.set('authorization', 'Bearer outbound-test-token');
        return request;
      },
    }),
  };

  beforeAll(async () => {
    connector = await startFakeConnector();
    issuer = await startFakeBotFrameworkIssuer();
    p = await startTestPlatform({
      answerer: createCitingAnswerer().answerer,
      env: { MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'not-used-in-tests' },
      channels: { teams: { auth: issuer.authSettings(), credentialsFactory } },
    });
  });
  afterAll(async () => {
    await p?.stop();
    await connector?.close();
    await issuer?.close();
  });

  const refused: [string, () => string | undefined][] = [
    ['no token', () => undefined],
    ['a garbage token', () => 'Bearer garbage'],
    ['a token signed with an unknown key', () => `Bearer ${issuer.forgedToken({ aud: APP_ID, serviceurl: connector.url })}`],
    ['a token for another bot', () => `Bearer ${issuer.token({ aud: 'another-bot', serviceurl: connector.url })}`],
    ['a token for another service URL', () => `Bearer ${issuer.token({ aud: APP_ID, serviceurl: 'http://127.0.0.1:9/' })}`],
    ['an expired token', () => `Bearer ${issuer.token({ aud: APP_ID, serviceurl: connector.url, nbf: 1, iat: 1, exp: 2 })}`],
  ];
  it.each(refused)('when the request carries %s, then it is refused with 401 and nothing is stored', async (_name, authorization) => {
    const conv = `a:${randomUUID()}`;
    const res = await post(p.url, activity(connector.url, { conversationId: conv, text: 'let me in' }), authorization());
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    expect(await p.store.getConversation(conversationKey('teams', conv))).toBeNull();
    expect(connector.calls.filter((c) => c.conversationId === conv)).toEqual([]);
  });

  it('when the request carries a valid Bot Framework token, then it is answered with the bot\'s own credentials', async () => {
    expect(p.channels.teams.anonymous).toBe(false);
    const conv = `a:${randomUUID()}`;
    const res = await post(p.url, activity(connector.url, { conversationId: conv, text: 'where is my parcel now' }), `Bearer ${issuer.token({ aud: APP_ID, serviceurl: connector.url })}`);
    expect(res.status).toBe(200);
    const [reply] = await waitForMessages(connector, conv, 1);
    expect(cardOf(reply!).body[0]!.text).toBe('answer to: where is my parcel now');
    expect(reply!.headers.authorization).toBe('Bearer outbound-test-token');
  });
});
