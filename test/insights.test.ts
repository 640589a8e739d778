import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomerMessageFacts } from '../core/store/index.js';
import { isOptOutMessage } from '../engagement/campaigns/opt-out.js';
import { loadOutreachSettings } from '../engagement/campaigns/settings.js';
import { buildDigest, type InsightsDigest } from '../engagement/insights/digest.js';
import { benjaminiHochberg, poissonUpperTail } from '../engagement/insights/poisson.js';
import { loadInsightsSettings } from '../engagement/insights/settings.js';
import { createSlackDigestPoster } from '../engagement/insights/slack.js';
import { insightsWorkflow } from '../workflows/insights.js';
import { createEchoAnswerer } from './helpers/answerers.js';
import { startTestPlatform, type TestPlatform } from './helpers/platform.js';

const settings = loadInsightsSettings();
const optOut = loadOutreachSettings().optOut.keywords;
const isOptOut = (t: string) => isOptOutMessage(t, optOut);
const WEEK = 7 * 86_400_000;
const PERIOD_END = new Date('2025-06-02T00:00:00Z');

/** `count` messages in week `week` (0 = oldest baseline week, 4 = the digest's week), spread over the week. */
function week(week: number, count: number, make: (i: number) => Partial<CustomerMessageFacts> & { text: string }): CustomerMessageFacts[] {
  const start = PERIOD_END.getTime() - (5 - week) * WEEK;
  return Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    conversationKey: `conv:web:${randomUUID()}`,
    language: 'zh',
    createdAt: new Date(start + ((i + 0.5) * WEEK) / count).toISOString(),
    intent: null,
    handoffSuggested: false,
    citations: 1,
    ...make(i),
  }));
}

/**
 * Five weeks of traffic: billing (an intent) steady at 20% of messages, broadband questions (keywords) steady, eSIM
 * activation failures (keywords) at 1–2 a week until they jump to 24 in the digest's week — when overall traffic is
 * also up by half, so "more messages" alone must not read as "rising".
 */
function syntheticTraffic(): CustomerMessageFacts[] {
  const out: CustomerMessageFacts[] = [];
  for (let w = 0; w < 5; w++) {
    const current = w === 4;
    const total = current ? 150 : 100;
    out.push(...week(w, total * 0.2, () => ({ text: '这个月话费怎么这么高', intent: 'billing' })));
    out.push(...week(w, total * 0.1, (i) => ({ text: ['宽带断网了', '宽带网速很慢', '家里宽带连不上'][i % 3] as string })));
    const esim = current ? 24 : 1 + (w % 2);
    out.push(...week(w, esim, (i) => ({ text: ['eSIM 激活失败', 'esim激活一直失败怎么办', '新手机esim无法激活'][i % 3] as string })));
    const rest = total - total * 0.3 - esim;
    out.push(...week(w, rest, (i) => ({ text: `订单${i}什么时候发货`, intent: ['delivery', 'refund', 'plans', 'returns'][i % 4] as string })));
  }
  return out;
}

describe('demand insights (pure)', () => {
  it('when one topic spikes against its baseline, then it is flagged as rising and the flat ones are not', () => {
    const digest = buildDigest(syntheticTraffic(), PERIOD_END, settings, isOptOut);
    expect(digest.messages).toEqual({ thisWeek: 150, baselinePerWeek: 100 });
    const labels = digest.rising.map((t) => t.label);
    expect(labels).toHaveLength(1);
    expect(labels[0]).toContain('esim');
    const esim = digest.rising[0]!;
    expect(esim.count).toBe(24);
    // λ = 150 × (6 + 0.5) / (400 + 1)
    expect(esim.expected).toBeCloseTo((150 * 6.5) / 401, 6);
    expect(esim.qValue).toBeLessThan(0.05);
    expect(esim.history).toEqual([1, 2, 1, 2, 24]);
    expect(esim.examples.length).toBeGreaterThan(0);
    // Steady topics grew with traffic only: not rising.
    expect(labels.join(' ')).not.toMatch(/billing|宽带/);
    expect(digest.topIntents[0]).toEqual({ intent: 'billing', count: 30, previousWeek: 20 });
  });

  it('when every topic stays flat, then nothing rises', () => {
    const flat = syntheticTraffic().filter((m) => !/esim/i.test(m.text));
    expect(buildDigest(flat, PERIOD_END, settings, isOptOut).rising).toEqual([]);
  });

  it('when a topic is new but rare, then the minimum count keeps it out', () => {
    const messages = [...syntheticTraffic().filter((m) => !/esim/i.test(m.text)), ...week(4, 3, () => ({ text: '卫星通话怎么开通' }))];
    expect(buildDigest(messages, PERIOD_END, settings, isOptOut).rising).toEqual([]);
  });

  it('when unanswered questions share words, then they are grouped into a candidate topic with examples; lone ones are not', () => {
    const unanswered = [
      '积分怎么兑换话费', '积分兑换流量怎么操作', '我的积分能兑换什么', '积分兑换的流量什么时候到账', 'How do I redeem points for data?',
      '你们支持数字人民币吗', '能不能开发票给海外公司',
    ];
    const messages = [
      ...syntheticTraffic(),
      ...week(4, unanswered.length, (i) => ({ text: unanswered[i] as string, handoffSuggested: i % 2 === 0, citations: 0 })),
      // Greetings without an answer source are not questions anyone needs to act on.
      ...week(4, 4, () => ({ text: '你好', intent: 'greeting', citations: 0 })),
      // Opt-out replies are not demand.
      ...week(4, 5, () => ({ text: 'TD', citations: 0 })),
    ];
    const digest = buildDigest(messages, PERIOD_END, settings, isOptOut);
    expect(digest.unanswered.count).toBe(unanswered.length);
    expect(digest.unanswered.candidates).toHaveLength(1);
    const points = digest.unanswered.candidates[0]!;
    expect(points.size).toBe(4);
    expect(points.keywords.slice(0, 2).sort()).toEqual(['兑换', '积分']);
    expect(points.examples).toEqual(['积分怎么兑换话费', '积分兑换流量怎么操作', '我的积分能兑换什么']);
  });

  it('when the Poisson tail and the FDR correction are computed, then they match known values', () => {
    // P(X ≥ 3 | λ = 1) = 1 − e⁻¹(1 + 1 + 1/2)
    expect(poissonUpperTail(3, 1)).toBeCloseTo(1 - Math.exp(-1) * 2.5, 12);
    expect(poissonUpperTail(0, 5)).toBe(1);
    expect(poissonUpperTail(200, 10)).toBeGreaterThan(0);
    // Ranks 1..4 of 0.01, 0.03, 0.04, 0.5: p·m/rank = 0.04, 0.06, 0.0533, 0.5, then made monotone from the top.
    expect(benjaminiHochberg([0.01, 0.04, 0.03, 0.5])).toEqual([0.04, 0.16 / 3, 0.16 / 3, 0.5].map((x) => expect.closeTo(x, 12)));
  });
});

describe('demand insights workflow on the platform', () => {
  let p: TestPlatform;

  beforeAll(async () => {
    p = await startTestPlatform({ answerer: createEchoAnswerer().answerer });
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('when the weekly workflow runs over stored messages, then the digest with the rising topic is stored once per week', async () => {
    // Stored customer messages, back-dated into their weeks (the gateway only ever writes "now").
    const traffic = syntheticTraffic();
    const conv = await p.store.recordInbound({ channel: 'web', conversationId: `insights-${randomUUID()}`, customerId: 'insights', messageId: randomUUID(), text: 'seed', receivedAt: new Date().toISOString() });
    await p.store.db.query('DELETE FROM messages WHERE id = $1', [conv.message.id]);
    for (const m of traffic) {
      const { message } = await p.store.insertMessage({ conversationKey: conv.conversation.key, channel: 'web', channelMessageId: m.id, role: 'customer', text: m.text });
      await p.store.db.query('UPDATE messages SET created_at = $2 WHERE id = $1', [message.id, m.createdAt]);
      if (m.intent) {
        await p.store.recordTurnOutcome({ messageId: message.id, conversationKey: conv.conversation.key, customerId: conv.conversation.customerId, text: m.text, language: 'zh', intent: m.intent, confidence: 0.9, handoffSuggested: false, citations: 1, createdAt: m.createdAt });
      }
    }
    const run = () => p.temporal.client.workflow.execute(insightsWorkflow, { taskQueue: p.config.TEMPORAL_TASK_QUEUE, workflowId: `insights-${randomUUID()}`, args: [{ periodEnd: PERIOD_END.toISOString() }] });
    const first = await run();
    expect(first.postedTo).toBeNull(); // no SLACK_BOT_TOKEN: stored only
    expect(first.summary).toContain('*Rising topics*');
    const second = await run();
    expect(second.digestId).toBe(first.digestId);
    const digests = await p.store.listDigests();
    expect(digests).toHaveLength(1);
    const digest = digests[0]!.digest as InsightsDigest;
    expect(digest.rising.map((t) => t.label).join(' ')).toContain('esim');
    expect(digest.periodEnd).toBe(PERIOD_END.toISOString());
  });
});

describe('posting the digest to Slack', () => {
  it('when a Slack token is configured, then chat.postMessage receives the summary in the insights channel', async () => {
    const calls: { path: string; auth: string | undefined; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        calls.push({ path: req.url ?? '', auth: req.headers.authorization, body });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, channel: 'C1', ts: '1.2' }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
      const post = createSlackDigestPoster({ token: 'xoxb-test', channel: 'kefu-insights', apiUrl: url });
      const digest = buildDigest(syntheticTraffic(), PERIOD_END, settings, isOptOut);
      expect(await post(digest, 'the summary')).toEqual({ postedTo: 'slack:kefu-insights' });
      expect(calls).toHaveLength(1);
      expect(calls[0]!.path).toBe('/api/chat.postMessage');
      expect(calls[0]!.auth).toBe('Bearer xoxb-test');
      const form = new URLSearchParams(calls[0]!.body);
      expect([form.get('channel'), form.get('text')]).toEqual(['kefu-insights', 'the summary']);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
