import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowNotFoundError } from '@temporalio/client';
import { DEFAULT_CAMPAIGNS_DIR, loadCampaigns } from '../engagement/campaigns/campaign-config.js';
import { listCampaignWorkflows, runCampaign, signalCampaign } from '../engagement/campaigns/launch.js';
import { loadOutreachSettings } from '../engagement/campaigns/settings.js';
import { loadInsightsSettings } from '../engagement/insights/settings.js';
import { campaignScheduleId, ensureEngagementSchedules, insightsScheduleId } from '../engagement/schedules.js';
import { createLogger } from '../core/logger.js';
import { outreachStatusQuery, outreachWorkflowId } from '../workflows/outreach-api.js';
import type { OutreachStatus } from '../workflows/outreach-types.js';
import { createRecordingSender, createIntentAnswerer, definition, seedWebCustomer, step, testPlan } from './helpers/outreach.js';
import { eventually, postMessage, startTestPlatform, waitForReplies, type TestPlatform } from './helpers/platform.js';

const hhmmss = (d: Date) => d.toISOString().slice(11, 19);

describe('outreach campaigns on a real Temporal server', () => {
  let p: TestPlatform;
  const web = createRecordingSender('web');

  beforeAll(async () => {
    p = await startTestPlatform({ answerer: createIntentAnswerer(), senders: { web: web.sender }, env: { CONVERSATION_IDLE_TIMEOUT: '3s' } });
  });
  afterAll(async () => {
    await p?.stop();
  });

  const run = (plan: ReturnType<typeof testPlan>, dryRun = false) =>
    runCampaign(p.temporal.client, { taskQueue: p.config.TEMPORAL_TASK_QUEUE, campaign: definition(plan), dryRun, timeoutMs: 30_000 });
  const outcome = (campaign: string, customerId: string) =>
    p.temporal.client.workflow.getHandle(outreachWorkflowId(campaign, customerId)).result() as Promise<OutreachStatus>;
  const eventKinds = async (campaign: string, customerId: string) =>
    (await p.store.listOutreachEvents({ campaign, customerId })).map((e) => e.kind);

  it('when a campaign is dry-run, then it lists who would get what and sends, records and starts nothing', async () => {
    const tag = `dry-${randomUUID()}`;
    const name = `dry-${randomUUID().slice(0, 8)}`;
    const ann = await seedWebCustomer(p, { tag, name: 'Ann', language: 'en' });
    const bo = await seedWebCustomer(p, { tag, consent: false });
    const result = await run(testPlan(name, tag), true);
    expect(result.dryRun).toBe(true);
    const rows = Object.fromEntries((result.preview ?? []).map((r) => [r.customerId, r]));
    expect(rows[ann.id]).toMatchObject({ decision: 'send', channel: 'web', conversationKey: ann.conversationKey, language: 'en', text: 'Hi Ann, something new for you. Reply STOP to opt out' });
    expect(rows[bo.id]).toMatchObject({ decision: 'skip', reason: 'no_consent: web: no marketing consent' });
    expect(web.outreach(name)).toEqual([]);
    expect(await p.store.listOutreachEvents({ campaign: name })).toEqual([]);
    await expect(p.temporal.client.workflow.getHandle(outreachWorkflowId(name, ann.id)).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });

  it('when the customer replies "TD" after the first message, then the opt-out is recorded at once and the next step is not sent', async () => {
    const tag = `optout-${randomUUID()}`;
    const name = `optout-${randomUUID().slice(0, 8)}`;
    const c = await seedWebCustomer(p, { tag });
    const plan = testPlan(name, tag, { steps: [step('first'), step('second', { delayMs: 3000 })] });
    expect((await run(plan)).totals).toEqual({ selected: 1, started: 1, alreadyRunning: 0 });
    await eventually(async () => (web.outreach(name).length === 1 ? true : undefined), 20_000, 'first outreach message');

    await postMessage(p.url, c.conversationId, { customerId: c.external, text: 'TD' });
    // The gateway records the opt-out before the bot even answers …
    const consent = await eventually(async () => (await p.store.listConsents(c.id)).find((x) => x.status === 'opted_out'), 5000, 'opt-out');
    expect(consent).toMatchObject({ channel: '*', purpose: 'marketing', source: 'customer' });
    // … and the bot confirms instead of answering "TD".
    const messages = await waitForReplies(p.url, c.conversationId, 2);
    expect(messages.at(-1)?.text).toBe('您已退订营销消息，我们不会再向您推送活动信息；账单、订单等服务通知不受影响。');

    const status = await outcome(name, c.id);
    expect(status.results.map((r) => r.result)).toEqual([
      { status: 'sent', channel: 'web', conversationKey: c.conversationKey },
      { status: 'skipped', reason: 'opted_out', detail: 'web: opted_out' },
    ]);
    expect(web.outreach(name).map((s) => s.idempotencyKey)).toEqual([`outreach:${name}:${c.id}:first`]);
    expect(await eventKinds(name, c.id)).toEqual(['sent', 'delivered', 'opted_out', 'skipped']);
  });

  it('when it is quiet hours in the customer\'s time zone, then the send waits until they end', async () => {
    const tag = `quiet-${randomUUID()}`;
    const name = `quiet-${randomUUID().slice(0, 8)}`;
    const c = await seedWebCustomer(p, { tag, timezone: 'UTC' });
    const now = new Date();
    const end = new Date(Math.ceil((now.getTime() + 3000) / 1000) * 1000);
    const plan = testPlan(name, tag, { quietHours: { start: hhmmss(new Date(now.getTime() - 60_000)), end: hhmmss(end) } });
    await run(plan);
    const status = await outcome(name, c.id);
    expect(status.results[0]?.result.status).toBe('sent');
    const [sent] = web.outreach(name);
    expect(sent!.at).toBeGreaterThanOrEqual(end.getTime());
    const deferred = (await p.store.listOutreachEvents({ campaign: name })).find((e) => e.kind === 'deferred');
    expect(deferred?.detail).toEqual({ reason: 'quiet_hours', until: end.toISOString() });
  });

  it('when two campaigns race for the same customer under a cap of one, then exactly one message goes out', async () => {
    const tag = `cap-${randomUUID()}`;
    const [a, b] = [`cap-a-${randomUUID().slice(0, 8)}`, `cap-b-${randomUUID().slice(0, 8)}`];
    const c = await seedWebCustomer(p, { tag });
    const cap = { frequencyCaps: [{ max: 1, windowMs: 3_600_000 }] };
    await Promise.all([run(testPlan(a, tag, cap)), run(testPlan(b, tag, cap))]);
    const results = await Promise.all([outcome(a, c.id), outcome(b, c.id)]);
    const statuses = results.map((r) => r.results[0]?.result.status).sort();
    expect(statuses).toEqual(['sent', 'skipped']);
    const skipped = results.find((r) => r.results[0]?.result.status === 'skipped')!.results[0]!.result;
    expect(skipped).toMatchObject({ reason: 'capped' });
    expect(web.outreach().filter((s) => s.idempotencyKey.includes(c.id))).toHaveLength(1);
  });

  it('when the customer replies to a campaign message, then the reply lands in a normal conversation tagged with the campaign and a conversion is counted', async () => {
    const tag = `reply-${randomUUID()}`;
    const name = `reply-${randomUUID().slice(0, 8)}`;
    const c = await seedWebCustomer(p, { tag });
    await run(testPlan(name, tag));
    await outcome(name, c.id);
    const res = await postMessage(p.url, c.conversationId, { customerId: c.external, text: '我想了解以旧换新' });
    expect(res.status).toBe(202);
    const messages = await waitForReplies(p.url, c.conversationId, 2);
    expect(messages.map((m) => [m.role, m.text]).slice(-3)).toEqual([
      ['bot', '您好，新品上市。回复TD退订'],
      ['customer', '我想了解以旧换新'],
      // Intent routing sends trade-in requests to the tradeInLead workflow; the customer gets its acknowledgement.
      ['bot', expect.stringContaining('以旧换新')],
    ]);
    expect(await p.store.conversationCampaign(c.conversationKey)).toEqual({ campaign: name, tags: [`campaign:${name}`] });
    await eventually(async () => ((await eventKinds(name, c.id)).includes('converted') ? true : undefined), 10_000, 'conversion');
    expect(await eventKinds(name, c.id)).toEqual(['sent', 'delivered', 'replied', 'converted']);
  });

  it('when a campaign is paused, then nothing is sent until it is resumed; when cancelled, then its workflows end as cancelled', async () => {
    const tag = `pause-${randomUUID()}`;
    const name = `pause-${randomUUID().slice(0, 8)}`;
    const c = await seedWebCustomer(p, { tag });
    const d = await seedWebCustomer(p, { tag });
    await run(testPlan(name, tag, { steps: [step('later', { delayMs: 2000 })] }));
    // Visibility can lag a moment behind the start.
    await eventually(async () => ((await listCampaignWorkflows(p.temporal.client, p.config.TEMPORAL_TASK_QUEUE, name)).length === 2 ? true : undefined), 10_000, 'listed workflows');
    const paused = await signalCampaign(p.temporal.client, { taskQueue: p.config.TEMPORAL_TASK_QUEUE, campaign: name, action: 'pause', by: 'test' });
    expect(paused).toEqual({ signalled: 2, schedule: 'none' });
    await new Promise((r) => setTimeout(r, 3500)); // past the step's delay: a running campaign would have sent by now
    expect(web.outreach(name)).toEqual([]);
    const status = await p.temporal.client.workflow.getHandle(outreachWorkflowId(name, c.id)).query(outreachStatusQuery);
    expect(status).toMatchObject({ paused: true, results: [] });

    // Resume one, cancel the other.
    await p.temporal.client.workflow.getHandle(outreachWorkflowId(name, c.id)).signal('resumeOutreach');
    await expect(outcome(name, c.id)).resolves.toMatchObject({ cancelled: false, results: [{ step: 'later', result: { status: 'sent' } }] });
    const cancelled = await signalCampaign(p.temporal.client, { taskQueue: p.config.TEMPORAL_TASK_QUEUE, campaign: name, action: 'cancel', by: 'test' });
    expect(cancelled.signalled).toBe(1);
    await expect(outcome(name, d.id)).resolves.toMatchObject({ cancelled: true, results: [] });
    expect(web.outreach(name).map((s) => s.idempotencyKey)).toEqual([`outreach:${name}:${c.id}:later`]);
    expect(await eventKinds(name, d.id)).toEqual(['cancelled']);
  });

  it('when a campaign runs twice, then customers already reached are not selected again and running ones are not restarted', async () => {
    const tag = `twice-${randomUUID()}`;
    const name = `twice-${randomUUID().slice(0, 8)}`;
    const c = await seedWebCustomer(p, { tag });
    const plan = testPlan(name, tag, { steps: [step('one'), step('two', { delayMs: 1500 })] });
    expect((await run(plan)).totals).toMatchObject({ selected: 1, started: 1 });
    await eventually(async () => (web.outreach(name).length === 1 ? true : undefined), 20_000, 'first message');
    expect((await run(plan)).totals).toMatchObject({ selected: 0, started: 0 });
    await outcome(name, c.id);
    expect(web.outreach(name)).toHaveLength(2);
  });

  it('when conversations about wealth products close, then the profile is updated and the wealth flag is raised with its reason', async () => {
    const external = `wealth-${randomUUID()}`;
    for (const text of ['理财产品有哪些？', '你们的理财收益怎么样', '理财可以随时赎回吗']) {
      const conv = `w-${randomUUID()}`;
      await postMessage(p.url, conv, { customerId: external, text });
      await waitForReplies(p.url, conv, 1);
    }
    const id = (await p.store.resolveCustomer('web', external)) as string;
    // Each conversation closes after the 3 s idle timeout and runs the profile update.
    const flag = await eventually(async () => (await p.store.listActiveFlags(id)).find((f) => f.flag === 'wealth_prospect'), 30_000, 'wealth flag');
    expect(flag.reason).toBe('intents.wealth_products.conversations_30d = 3 (≥ 3)');
    const profile = await p.store.getProfile(id);
    expect(profile).toMatchObject({ productsOfInterest: ['wealth'], language: 'zh' });
    expect(profile?.profileUpdatedAt).not.toBeNull();
  });

  it('when schedules are ensured at every start, then they are created once, updated in place, keep a pause, and follow removed campaigns', async () => {
    const taskQueue = `sched-${randomUUID().slice(0, 8)}`;
    const campaigns = loadCampaigns(DEFAULT_CAMPAIGNS_DIR, loadOutreachSettings());
    const engagement = { campaigns, insights: loadInsightsSettings() };
    const logger = createLogger(p.config);
    const client = p.temporal.client;
    const ids = [campaignScheduleId(taskQueue, 'device-trade-in'), campaignScheduleId(taskQueue, 'wealth-follow-up'), insightsScheduleId(taskQueue)];
    try {
      expect((await ensureEngagementSchedules(client, { taskQueue, engagement, logger })).sort()).toEqual(ids.sort());
      const wealth = client.schedule.getHandle(campaignScheduleId(taskQueue, 'wealth-follow-up'));
      expect((await wealth.describe()).spec).toMatchObject({ timezone: 'Asia/Shanghai' });
      await signalCampaign(client, { taskQueue, campaign: 'wealth-follow-up', action: 'pause', by: 'test' });

      // A restart with an edited campaign updates it in place and leaves the operator's pause alone.
      const edited = new Map(campaigns);
      const def = campaigns.get('wealth-follow-up')!;
      edited.set('wealth-follow-up', { ...def, schedule: { cron: '30 8 * * 2', timezone: 'Asia/Shanghai' } });
      edited.delete('device-trade-in');
      await ensureEngagementSchedules(client, { taskQueue, engagement: { ...engagement, campaigns: edited }, logger });
      const after = await wealth.describe();
      expect(after.state.paused).toBe(true);
      expect(after.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 8, end: 8, step: 1 }], minute: [{ start: 30, end: 30, step: 1 }] });
      await expect(client.schedule.getHandle(campaignScheduleId(taskQueue, 'device-trade-in')).describe()).rejects.toThrow(/not found/i);
    } finally {
      for (const id of ids) await client.schedule.getHandle(id).delete().catch(() => undefined);
    }
  });
});
