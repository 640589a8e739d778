import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { createRiskDetector, loadRiskRules } from '../analysis/risk/index.js';
import type { Db } from '../core/db/types.js';
import type { InboundMessage } from '../core/domain.js';
import { createStore, type Store } from '../core/store/index.js';
import { hashPhone, normalisePhone } from '../engagement/profiles/contact-hash.js';
import { readCrmFile } from '../engagement/profiles/crm-file.js';
import { importCustomers } from '../engagement/profiles/crm-import.js';
import { updateProfileAfterConversation } from '../engagement/profiles/update.js';
import { evaluateCustomerFlags } from '../engagement/flags/evaluate.js';
import { loadFlagging } from '../engagement/flags/rules.js';
import { DATABASES, openTestDatabase } from './helpers/databases.js';

const flagging = loadFlagging();
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/crm/${name}`, import.meta.url));
const DAY = 86_400_000;
let seq = 0;

const inbound = (over: Partial<InboundMessage>): InboundMessage => ({
  channel: 'web',
  conversationId: `conv-${++seq}`,
  customerId: `cust-${seq}`,
  messageId: `msg-${++seq}`,
  text: 'hello',
  receivedAt: new Date().toISOString(),
  ...over,
});

/** Customer messages with recorded intents, spread over past days, in conversations of their own. */
async function seedIntents(store: Store, customerId: string, intent: string, daysAgo: number[]) {
  for (const d of daysAgo) {
    const key = `conv:web:intent-${++seq}`;
    await store.recordTurnOutcome({
      messageId: `m-${++seq}`, conversationKey: key, customerId, text: 'question', language: 'zh', intent,
      confidence: 0.9, handoffSuggested: false, citations: 1, createdAt: new Date(Date.now() - d * DAY).toISOString(),
    });
  }
}

describe.each(DATABASES)('customer profiles on %s', (kind) => {
  let db: Db;
  let store: Store;

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    store = createStore(db);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('when a CRM CSV has bad rows, then the good ones import, each bad one is reported with every reason, and a re-import changes nothing', async () => {
    // Mrs Wang wrote on the web first: the CRM row listing her web id adopts that customer instead of creating another.
    const web = await store.recordInbound(inbound({ customerId: 'web-wang', text: '理财产品收益怎么样？' }));
    const report = await importCustomers(store, readCrmFile(fixture('customers.csv')), { flagging });
    // 7 rows (a blank line is not a row); web-wang was already hers, so only wx-wang and aad-john are newly linked.
    expect(report).toMatchObject({ rows: 7, created: 2, updated: 1, unchanged: 0, identitiesLinked: 2 });
    expect(report.rejected.map((r) => [r.row, r.crmId])).toEqual([[4, 'C003'], [5, 'C004'], [7, undefined], [8, 'C001']]);
    const reasons = Object.fromEntries(report.rejected.map((r) => [r.row, r.reasons.join(' | ')]));
    expect(reasons[4]).toMatch(/tier: "diamond" is not one of standard, silver, gold, platinum/);
    for (const field of ['phone', 'email', 'language', 'timezone', 'devicePurchasedAt']) expect(reasons[5]).toContain(`${field}:`);
    expect(reasons[7]).toContain('crmId');
    expect(reasons[8]).toBe('crmId: duplicate of row 2');

    const wangId = await store.customerIdByCrmId('C001');
    expect(wangId).toBe(web.conversation.customerId);
    const wang = await store.getProfile(wangId as string);
    expect(wang).toMatchObject({ displayName: '王芳', language: 'zh', tier: 'platinum', timezone: 'Asia/Shanghai', tags: ['vip', 'wealth'], productsOfInterest: ['wealth'] });
    expect(wang?.attributes).toEqual({ deviceModel: 'iPhone 12', devicePurchasedAt: '2021-09-15', segment: 'private' });
    expect((await store.listIdentities(wangId as string)).map((i) => `${i.channel}:${i.externalId}`)).toEqual(['web:web-wang', 'wechat:wx-wang']);
    // Contact data is kept as hashes only.
    const raw = await db.query<{ phone_hash: string; email_hash: string }>('SELECT phone_hash, email_hash FROM customers WHERE id = $1', [wangId]);
    expect(raw.rows[0]?.phone_hash).toBe(hashPhone(normalisePhone('+86 13800138000') as string));
    expect(JSON.stringify(raw.rows)).not.toContain('13800138000');
    expect((await store.listConsents(wangId as string)).map((c) => [c.channel, c.purpose, c.status])).toEqual([['*', 'marketing', 'granted']]);
    // Her device is older than 24 months: the trade-in flag is raised by the import.
    expect((await store.listActiveFlags(wangId as string)).map((f) => f.flag)).toContain('device_trade_in');

    const again = await importCustomers(store, readCrmFile(fixture('customers.csv')), { flagging });
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 3, merged: 0, identitiesLinked: 0 });
    expect(again.rejected).toHaveLength(4);
    const count = await db.query<{ n: string | number }>("SELECT count(*) AS n FROM customers WHERE crm_id IS NOT NULL");
    expect(Number(count.rows[0]?.n)).toBe(3);
  });

  it('when a customer opted out and the CRM export still says "consent", then the opt-out stays', async () => {
    const id = (await store.customerIdByCrmId('C001')) as string;
    await store.setConsent(id, { channel: '*', purpose: 'marketing', status: 'opted_out', source: 'customer', evidence: 'TD' });
    const rows = readCrmFile(fixture('customers.csv')).map((r) => (r.data.crmId === 'C001' && r.row === 2 ? { ...r, data: { ...r.data, name: '王芳芳' } } : r));
    const report = await importCustomers(store, rows, { flagging });
    expect(report.updated).toBe(1);
    expect((await store.getProfile(id))?.displayName).toBe('王芳芳');
    expect((await store.listConsents(id)).find((c) => c.purpose === 'marketing')).toMatchObject({ status: 'opted_out', source: 'customer' });
  });

  it('when a JSON export has bad rows, then they are rejected with reasons and a listed Teams identity is linked', async () => {
    const teams = await store.recordInbound(inbound({ channel: 'teams', customerId: 'aad-alice', text: 'hi' }));
    const report = await importCustomers(store, readCrmFile(fixture('customers.json')), { flagging });
    expect(report).toMatchObject({ rows: 4, updated: 1, created: 0 });
    expect(report.rejected.map((r) => [r.row, r.crmId, r.reasons.join(' | ')])).toEqual([
      [2, 'J101', expect.stringContaining('phoneHash: must be a SHA-256 hex digest')],
      [3, undefined, 'row: expected an object'],
      [4, 'J102', expect.stringContaining('favouriteColour')],
    ]);
    expect(await store.customerIdByCrmId('J100')).toBe(teams.conversation.customerId);
  });

  it('when two CRM customers share a phone (a family plan), then they are not merged', async () => {
    const rows = [
      { row: 1, data: { crmId: 'F1', phone: '13900001111' } },
      { row: 2, data: { crmId: 'F2', phone: '+86 139 0000 1111' } },
    ];
    const report = await importCustomers(store, rows, { flagging });
    expect(report).toMatchObject({ created: 2, merged: 0 });
    expect(await store.customerIdByCrmId('F1')).not.toBe(await store.customerIdByCrmId('F2'));
  });

  it('when two channel customers are merged, then identities and conversations move, the opt-out survives, and the merge is audited', async () => {
    const web = await store.recordInbound(inbound({ channel: 'web', customerId: 'bob-web', text: 'hi' }));
    const teams = await store.recordInbound(inbound({ channel: 'teams', customerId: 'bob-teams', text: 'hello' }));
    const [from, into] = [teams.conversation.customerId, web.conversation.customerId];
    await store.setConsent(from, { channel: '*', purpose: 'marketing', status: 'opted_out', source: 'customer' });
    await store.setConsent(into, { channel: '*', purpose: 'marketing', status: 'granted', source: 'crm' });
    await store.patchProfile(from, { addTags: ['teams-user'], timezone: 'Asia/Hong_Kong' });
    const lead = await store.recordLead({
      kind: 'trade_in', workflowId: 'tradeInLead:m1', conversationKey: teams.conversation.key, customerId: from, channel: 'teams',
      messageId: 'm1', text: '旧手机能抵多少钱', language: 'zh', intent: 'trade_in', queue: 'general',
    });

    const result = await store.mergeCustomers(from, into, { actor: 'test', reason: 'same person' });
    expect(result.moved).toMatchObject({ channel_identities: 1, conversations: 1, leads: 1 });
    // A specialist calling back must find the lead under the customer they look up.
    expect((await store.getLead(lead.id))?.customerId).toBe(into);
    expect((await store.listIdentities(into)).map((i) => i.channel)).toEqual(['teams', 'web']);
    expect((await store.getConversation(teams.conversation.key))?.customerId).toBe(into);
    expect((await store.listConsents(into)).find((c) => c.purpose === 'marketing')?.status).toBe('opted_out');
    expect(await store.getProfile(from)).toMatchObject({ id: into, tags: ['teams-user'], timezone: 'Asia/Hong_Kong' });
    expect(await store.canonicalCustomerId(from)).toBe(into);
    expect(await store.listMerges(into)).toEqual([expect.objectContaining({ from, into, actor: 'test', reason: 'same person' })]);
    // A message on the old identity now lands on the merged customer.
    expect(await store.resolveCustomer('teams', 'bob-teams')).toBe(into);
    await expect(store.mergeCustomers(from, into, { actor: 'test' })).rejects.toThrow(/already merged/);
  });

  it('when a flag rule fires, then the flag says which facts fired it and expires after its ttl', async () => {
    const c = await store.recordInbound(inbound({ text: 'hi' }));
    const id = c.conversation.customerId;
    await seedIntents(store, id, 'wealth_products', [2, 9, 20]);
    await seedIntents(store, id, 'wealth_products', [45]); // outside the 30-day window
    const now = new Date();
    const raised = await evaluateCustomerFlags(store, flagging, id, now);
    const wealth = raised.find((f) => f.flag === 'wealth_prospect');
    expect(wealth?.reason).toBe('intents.wealth_products.conversations_30d = 3 (≥ 3)');
    expect(wealth?.evidence).toEqual([{ fact: 'intents.wealth_products.conversations_30d', op: 'gte', expected: 3, actual: 3 }]);
    expect(wealth?.expiresAt).toBe(new Date(now.getTime() + 30 * DAY).toISOString());
    expect((await store.listActiveFlags(id, new Date(now.getTime() + 29 * DAY))).map((f) => f.flag)).toEqual(['wealth_prospect']);
    expect(await store.listActiveFlags(id, new Date(now.getTime() + 30 * DAY + 1000))).toEqual([]);
  });

  it('when a rule does not hold, then no flag is raised — including through a `not` condition', async () => {
    const c = await store.recordInbound(inbound({ text: 'hi' }));
    const id = c.conversation.customerId;
    await seedIntents(store, id, 'wealth_products', [1, 2]);
    await store.patchProfile(id, { attributes: { devicePurchasedAt: '2020-01-01' }, addTags: ['no-upsell'] });
    expect(await evaluateCustomerFlags(store, flagging, id)).toEqual([]);
  });

  it('when a top-tier customer\'s conversations turn sour, then the churn flag cites tier and sentiment', async () => {
    const first = await store.recordInbound(inbound({ customerId: 'vip-1', text: '太差了，我要投诉！再也不用你们了' }));
    const id = first.conversation.customerId;
    await store.patchProfile(id, { tier: 'platinum' });
    await store.recordTurnOutcome({ messageId: first.message.id, conversationKey: first.conversation.key, customerId: id, text: first.message.text, language: 'zh', intent: 'complaint', confidence: 0.9, handoffSuggested: true, citations: 0 });
    const deps = { store, flagging, risk: createRiskDetector(loadRiskRules()) };
    const update = await updateProfileAfterConversation(deps, first.conversation.key);
    expect(update?.sentiment).toBeLessThan(0);
    expect(update?.sentimentTrend).toBeLessThan(0);
    const churn = update?.flags.find((f) => f.flag === 'vip_churn_risk');
    expect(churn?.reason).toMatch(/^tier = platinum \(in \[gold, platinum\]\) and sentiment\.trend = -[\d.]+ \(≤ -0\.3\)/);
    expect(churn?.reason).toContain('intents.complaint.conversations_30d = 1 (≥ 1)');
    const profile = await store.getProfile(id);
    expect(profile?.sentimentTrend).toBe(update?.sentimentTrend);
    expect(profile?.profileUpdatedAt).not.toBeNull();
    // Running it again (a retried activity) gives the same profile.
    const again = await updateProfileAfterConversation(deps, first.conversation.key);
    expect(again?.sentimentTrend).toBe(update?.sentimentTrend);
  });

  it('when a conversation asks about wealth products, then the profile gains the product of interest and the language', async () => {
    const c = await store.recordInbound(inbound({ customerId: 'interest-1', text: 'What wealth products do you offer?', language: 'en' }));
    await store.recordTurnOutcome({ messageId: c.message.id, conversationKey: c.conversation.key, customerId: c.conversation.customerId, text: c.message.text, language: 'en', intent: 'wealth_products', confidence: 0.8, handoffSuggested: false, citations: 2 });
    const update = await updateProfileAfterConversation({ store, flagging, risk: createRiskDetector(loadRiskRules()) }, c.conversation.key);
    expect(update?.productsOfInterest).toEqual(['wealth']);
    expect(await store.getProfile(c.conversation.customerId)).toMatchObject({ language: 'en', productsOfInterest: ['wealth'] });
  });

  it('when outreach sends are claimed, then the cap counts every campaign, concurrent claims cannot both pass, and the channel rate limit says when to retry', async () => {
    const c = await store.recordInbound(inbound({ text: 'hi' }));
    const claim = (campaign: string, customerId = c.conversation.customerId, channel: 'web' | 'wechat' = 'web') => ({
      idempotencyKey: `outreach:${campaign}:${customerId}:one`, campaign, customerId, step: 'one', channel, conversationKey: c.conversation.key, conversionIntents: [],
    });
    const cap = { frequencyCaps: [{ max: 1, windowMs: 3_600_000 }] };
    const [a, b] = await Promise.all([store.claimOutreachSend(claim('cap-a'), cap), store.claimOutreachSend(claim('cap-b'), cap)]);
    expect([a.status, b.status].sort()).toEqual(['capped', 'claimed']);
    // A retried activity finds its own claim instead of being capped by it.
    const winner = a.status === 'claimed' ? 'cap-a' : 'cap-b';
    expect((await store.claimOutreachSend(claim(winner), cap)).status).toBe('already_claimed');

    const rate = { frequencyCaps: [], rate: { max: 2, perMs: 60_000 } };
    const others = await Promise.all(['r1', 'r2', 'r3'].map(async (n) => (await store.recordInbound(inbound({ text: n }))).conversation.customerId));
    const results = [];
    for (const [i, id] of others.entries()) results.push(await store.claimOutreachSend(claim(`rate-${i}`, id, 'wechat'), rate));
    expect(results.map((r) => r.status)).toEqual(['claimed', 'claimed', 'rate_limited']);
    const limited = results[2] as { retryAfterMs: number };
    expect(limited.retryAfterMs).toBeGreaterThan(50_000);
    expect(limited.retryAfterMs).toBeLessThanOrEqual(60_000);
  });
});
