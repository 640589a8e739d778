import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversationKey } from '../core/domain.js';
import { DEFAULT_CAMPAIGNS_DIR, loadCampaigns } from '../engagement/campaigns/campaign-config.js';
import { runCampaign, signalCampaign } from '../engagement/campaigns/launch.js';
import { loadOutreachSettings } from '../engagement/campaigns/settings.js';
import { importCustomers } from '../engagement/profiles/crm-import.js';
import { loadFlagging } from '../engagement/flags/rules.js';
import { cardOf, startFakeConnector, type FakeConnector } from './fakes/bot-connector.js';
import { createIntentAnswerer } from './helpers/outreach.js';
import { eventually, startTestPlatform, type TestPlatform } from './helpers/platform.js';

const campaigns = loadCampaigns(DEFAULT_CAMPAIGNS_DIR, loadOutreachSettings());

/** An IANA zone where it is now early afternoon, so the campaigns' 21:00–09:00 quiet hours never get in the way. */
function afternoonZone(): string {
  const offset = 13 - new Date().getUTCHours(); // local hour 13
  const wrapped = offset > 12 ? offset - 24 : offset < -11 ? offset + 24 : offset;
  // Etc/GMT zones have inverted signs: Etc/GMT-8 is UTC+8.
  return wrapped === 0 ? 'Etc/GMT' : `Etc/GMT${wrapped > 0 ? '-' : '+'}${Math.abs(wrapped)}`;
}

function teamsMessage(serviceUrl: string, o: { conversationId: string; user: string; name: string; text: string; locale: string }) {
  return {
    type: 'message', id: `${Date.now()}${Math.random()}`, timestamp: new Date().toISOString(), serviceUrl, channelId: 'msteams',
    from: { id: `29:${o.user}`, name: o.name, aadObjectId: `aad-${o.user}` },
    conversation: { id: o.conversationId, conversationType: 'personal', tenantId: 'tenant-1' },
    recipient: { id: '28:kefu-bot', name: 'kefu' }, text: o.text, textFormat: 'plain', locale: o.locale, channelData: { tenant: { id: 'tenant-1' } },
  };
}

describe('the example campaigns through Teams (fake Bot Framework connector)', () => {
  let p: TestPlatform;
  let connector: FakeConnector;

  beforeAll(async () => {
    connector = await startFakeConnector();
    p = await startTestPlatform({ answerer: createIntentAnswerer() });
  });
  afterAll(async () => {
    await p?.stop();
    await connector?.close();
  });

  /** A Teams user who has chatted with the bot once (so a conversation reference is stored), then got a reply. */
  async function teamsCustomer(user: string, name: string, locale: string) {
    const conversationId = `a:${randomUUID()}`;
    const res = await fetch(`${p.url}/api/messages`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify(teamsMessage(connector.url, { conversationId, user, name, text: locale.startsWith('zh') ? '你好' : 'hello', locale })),
    });
    expect(res.status).toBe(200);
    await eventually(async () => (connector.messages(conversationId).length >= 1 ? true : undefined), 30_000, `first reply to ${user}`);
    return conversationId;
  }

  it('when seeded CRM customers match the wealth and trade-in audiences, then each gets its campaign on Teams, compliant and personalised', async () => {
    const zhang = await teamsCustomer('zhang', 'Zhang Wei', 'zh-CN');
    const smith = await teamsCustomer('smith', 'John Smith', 'en-US');
    const tz = afternoonZone();
    const report = await importCustomers(p.store, [
      { row: 1, data: { crmId: 'T-ZHANG', name: '张伟', language: 'zh', timezone: tz, tier: 'gold', identities: { teams: 'aad-zhang' }, consent: { marketing: 'all' } } },
      { row: 2, data: { crmId: 'T-SMITH', name: 'John', language: 'en', timezone: tz, identities: { teams: 'aad-smith' }, consent: { marketing: ['teams'] }, deviceModel: 'Pixel 6', devicePurchasedAt: '2021-10-01' } },
    ], { flagging: loadFlagging() });
    expect(report).toMatchObject({ updated: 2, rejected: [] });
    const zhangId = (await p.store.customerIdByCrmId('T-ZHANG')) as string;
    const smithId = (await p.store.customerIdByCrmId('T-SMITH')) as string;
    // Zhang asked about wealth products in three conversations this month (the campaign run re-evaluates flags).
    for (const days of [1, 5, 12]) {
      await p.store.recordTurnOutcome({
        messageId: randomUUID(), conversationKey: `conv:teams:history-${randomUUID()}`, customerId: zhangId, text: '理财产品收益如何', language: 'zh',
        intent: 'wealth_products', confidence: 0.9, handoffSuggested: false, citations: 2, createdAt: new Date(Date.now() - days * 86_400_000).toISOString(),
      });
    }

    const taskQueue = p.config.TEMPORAL_TASK_QUEUE;
    const dry = await runCampaign(p.temporal.client, { taskQueue, campaign: campaigns.get('wealth-follow-up')!, dryRun: true, timeoutMs: 30_000 });
    expect(dry.preview?.map((r) => [r.customerId, r.decision, r.channel])).toEqual([[zhangId, 'send', 'teams']]);
    expect(connector.messages(zhang)).toHaveLength(1);

    const wealth = await runCampaign(p.temporal.client, { taskQueue, campaign: campaigns.get('wealth-follow-up')!, dryRun: false, timeoutMs: 30_000 });
    const tradeIn = await runCampaign(p.temporal.client, { taskQueue, campaign: campaigns.get('device-trade-in')!, dryRun: false, timeoutMs: 30_000 });
    expect([wealth.totals.started, tradeIn.totals.started]).toEqual([1, 1]);

    const [, wealthCall] = await eventually(async () => (connector.messages(zhang).length >= 2 ? connector.messages(zhang) : undefined), 30_000, 'wealth message');
    expect(wealthCall!.replyToId).toBe(`outreach:wealth-follow-up:${zhangId}:invite`);
    const wealthText = cardOf(wealthCall!).body.map((b) => b.text).join('\n');
    expect(wealthText).toContain('张伟，您好！您最近咨询了我们的理财产品');
    expect(wealthText).toContain('理财非存款，产品有风险，投资须谨慎');
    expect(wealthText).toContain('回复TD退订');
    expect(cardOf(wealthCall!).actions).toEqual([]); // no "talk to a person" button on outreach

    const [, tradeInCall] = await eventually(async () => (connector.messages(smith).length >= 2 ? connector.messages(smith) : undefined), 30_000, 'trade-in message');
    expect(tradeInCall!.replyToId).toBe(`outreach:device-trade-in:${smithId}:offer`);
    const tradeInText = cardOf(tradeInCall!).body.map((b) => b.text).join('\n');
    expect(tradeInText).toContain('Hi John, your Pixel 6 is over two years old.');
    expect(tradeInText).toContain('Reply STOP to opt out');

    // Each customer got only their own campaign, and the transcript holds it.
    expect(connector.messages(zhang)).toHaveLength(2);
    expect(connector.messages(smith)).toHaveLength(2);
    expect((await p.store.listMessages(conversationKey('teams', smith))).at(-1)?.text).toContain('Pixel 6');
    expect(await p.store.campaignOutcomeCounts('device-trade-in')).toEqual({ delivered: 1, sent: 1 });

    // The wealth campaign's reminder waits three days; cancelling ends it now.
    await eventually(async () => ((await signalCampaign(p.temporal.client, { taskQueue, campaign: 'wealth-follow-up', action: 'cancel', by: 'test' })).signalled === 1 ? true : undefined), 10_000, 'cancel');
    await eventually(async () => ((await p.store.campaignOutcomeCounts('wealth-follow-up')).cancelled === 1 ? true : undefined), 10_000, 'cancelled event');
  });
});
