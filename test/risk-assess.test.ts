import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRiskActivities, type RiskEscalationStarter, type RiskServices } from '../activities/risk.js';
import { createRiskDetector } from '../analysis/risk/detector.js';
import { DEFAULT_RISK_RULES_PATH, loadRiskRules } from '../analysis/risk/rules.js';
import { sentimentScore, sentimentTrend } from '../analysis/text/sentiment.js';
import { loadConfig } from '../core/config.js';
import { openDatabase } from '../core/db/open.js';
import type { Db } from '../core/db/types.js';
import { createStore, type Store } from '../core/store/index.js';
import type { RiskOccurrence } from '../workflows/risk-types.js';
import { riskEscalationSettings } from '../bots/risk/runtime.js';
import { DATABASES, openTestDatabase } from './helpers/databases.js';
import { runKefu } from './helpers/kefu-cli.js';

const detector = createRiskDetector(loadRiskRules(DEFAULT_RISK_RULES_PATH));
const THREAT = '再不处理我就去12315投诉你们';

function recordingStarter() {
  const signals: { category: string; conversationKey: string; occurrence: RiskOccurrence }[] = [];
  const starter: RiskEscalationStarter = {
    async signal(target, occurrence) {
      signals.push({ category: target.category, conversationKey: target.conversationKey, occurrence });
    },
  };
  return { starter, signals };
}

let seq = 0;
async function customerMessage(store: Store, text: string, opts: { conversationId?: string; customer?: string } = {}) {
  seq += 1;
  const recorded = await store.recordInbound({
    channel: 'web',
    conversationId: opts.conversationId ?? `c-${seq}`,
    customerId: opts.customer ?? `cust-${seq}`,
    messageId: `m-${seq}`,
    text,
    receivedAt: new Date().toISOString(),
  });
  return { conversationKey: recorded.conversation.key, customerId: recorded.conversation.customerId, messageId: recorded.message.id, text };
}

describe.each(DATABASES)('assessRisk on %s', (kind) => {
  let db: Db;
  let store: Store;
  let signals: ReturnType<typeof recordingStarter>['signals'];
  let activities: ReturnType<typeof createRiskActivities>;

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    store = createStore(db);
    const rec = recordingStarter();
    signals = rec.signals;
    const risk: RiskServices = { detector, policy: { escalateAt: 'medium', holdAt: 'high', handoffQueue: 'senior' }, escalations: rec.starter, sinks: [] };
    activities = createRiskActivities({ store, risk });
  });
  afterAll(async () => {
    await db.close();
  });

  const assess = (m: Awaited<ReturnType<typeof customerMessage>>, context: { priorCategories?: string[]; sentimentHistory?: number[] } = {}) =>
    activities.assessRisk({ ...m, channel: 'web', priorCategories: context.priorCategories ?? [], sentimentHistory: context.sentimentHistory ?? [] });

  it('when the customer is platinum in the database, then the same threat scores higher than for a standard customer', async () => {
    const standard = await customerMessage(store, THREAT);
    const platinum = await customerMessage(store, THREAT);
    await db.query("UPDATE customers SET tier = 'platinum' WHERE id = $1", [platinum.customerId]);

    const a = await assess(standard);
    const b = await assess(platinum);

    expect(a.context.valueTier).toBe('standard');
    expect(b.context.valueTier).toBe('platinum');
    const [eventA, eventB] = [(await store.listRiskEvents(standard.conversationKey))[0], (await store.listRiskEvents(platinum.conversationKey))[0]];
    expect(eventB?.score).toBeCloseTo((eventA?.score ?? 0) * 1.5, 3);
    expect(a.severity).toBe('medium');
    expect(b.severity).toBe('high');
    expect(b.handoff).toEqual({ queue: 'senior', priority: 1 });
    expect(a.handoff).toBeUndefined();
  });

  it('when the category was seen earlier in the conversation, then severity rises and the context is stored with the event', async () => {
    const first = await customerMessage(store, THREAT, { conversationId: 'repeat' });
    const second = await customerMessage(store, THREAT, { conversationId: 'repeat' });

    const v1 = await assess(first);
    const v2 = await assess(second, { priorCategories: v1.categories, sentimentHistory: [v1.sentiment] });

    expect(v1.severity).toBe('medium');
    expect(v2.severity).toBe('high');
    const events = await store.listRiskEvents(first.conversationKey);
    expect(events.map((e) => e.severity)).toEqual(['medium', 'high']);
    expect(events[1]?.context).toMatchObject({ priorCategories: ['regulator_complaint'], priorHits: 1, valueTier: 'standard' });
    expect(events[1]?.evidence.join(' ')).toContain('12315');
  });

  it('when a risky message escalates, then each category is signalled once with the stored event', async () => {
    signals.length = 0;
    const m = await customerMessage(store, '我要找律师起诉你们，还要发微博曝光');
    const v = await assess(m);

    expect(v.categories).toEqual(['legal_threat', 'public_exposure']);
    expect(signals.map((s) => s.category)).toEqual(['legal_threat', 'public_exposure']);
    expect(v.escalated).toEqual([`risk:${m.conversationKey}:legal_threat`, `risk:${m.conversationKey}:public_exposure`]);
    expect(signals[0]?.occurrence).toMatchObject({ eventId: v.eventId, messageId: m.messageId, language: 'zh', excerpt: m.text });
  });

  it('when the activity is retried for the same message, then one risk event is stored', async () => {
    const m = await customerMessage(store, THREAT);
    const first = await assess(m);
    const again = await assess(m);
    expect(again.eventId).toBe(first.eventId);
    expect(await store.listRiskEvents(m.conversationKey)).toHaveLength(1);
  });

  it.each(['我不会投诉的', "what's your refund policy", '請問退款進度怎麼查'])('when the message is "%s", then nothing is stored or escalated', async (text) => {
    signals.length = 0;
    const m = await customerMessage(store, text);
    const v = await assess(m);
    expect(v.severity).toBe('none');
    expect(v.eventId).toBeUndefined();
    expect(signals).toHaveLength(0);
    expect(await store.listRiskEvents(m.conversationKey)).toHaveLength(0);
  });

  it('when an escalation is opened twice and repeated, then one row counts both events and keeps the highest severity', async () => {
    const m1 = await customerMessage(store, THREAT, { conversationId: 'esc' });
    const m2 = await customerMessage(store, THREAT, { conversationId: 'esc' });
    const e1 = (await store.recordRiskEvent({ conversationKey: m1.conversationKey, messageId: m1.messageId, categories: ['regulator_complaint'], severity: 'high', score: 6, evidence: ['x'], context: {}, excerpt: m1.text })).event;
    const e2 = (await store.recordRiskEvent({ conversationKey: m2.conversationKey, messageId: m2.messageId, categories: ['regulator_complaint'], severity: 'medium', score: 4, evidence: ['y'], context: {}, excerpt: m2.text })).event;
    const base = { workflowId: 'risk:x', conversationKey: m1.conversationKey, category: 'regulator_complaint', excerpt: m1.text, evidence: ['x'] };
    await store.openRiskEscalation({ ...base, id: 'esc-1', severity: 'high', eventId: e1.id });
    await store.openRiskEscalation({ ...base, id: 'esc-1', severity: 'high', eventId: e1.id });
    await store.recordRiskRepeat({ escalationId: 'esc-1', eventId: e2.id, severity: 'medium', excerpt: m2.text, evidence: ['y'] });
    const after = await store.recordRiskRepeat({ escalationId: 'esc-1', eventId: e2.id, severity: 'medium', excerpt: m2.text, evidence: ['y'] });

    expect(after).toMatchObject({ occurrences: 2, severity: 'high', status: 'open', eventIds: [e1.id, e2.id] });
    // A second active escalation for the same conversation and category replaces a stale one instead of failing.
    await store.openRiskEscalation({ ...base, id: 'esc-2', severity: 'medium', eventId: e2.id });
    expect((await store.getRiskEscalation('esc-1'))?.closeReason).toBe('superseded');
    expect((await store.listRiskEscalations({ status: 'active', conversationKey: m1.conversationKey })).map((e) => e.id)).toEqual(['esc-2']);
    const kinds = (await store.listRiskEscalationEvents('esc-1')).map((e) => e.kind);
    expect(kinds).toEqual(['opened', 'repeat']);
  });
});

describe('sentiment', () => {
  it.each([
    ['谢谢，问题解决了', 1],
    ['太差了，我很失望！！', -1],
    ['服務太差勁了', -1],
    ['I am not happy with this', -1],
    ['thanks, that was really helpful', 1],
    ['我的订单号是 12345', 0],
  ])('when the message is "%s", then the score has sign %d', (text, sign) => {
    expect(Math.sign(sentimentScore(text))).toBe(sign);
  });

  it('when messages turn angry after a calm start, then the trend is negative, and positive when they calm down', () => {
    expect(sentimentTrend([0.5, 0.3, 0, -0.5, -0.7])).toBeLessThan(-0.5);
    expect(sentimentTrend([-0.6, -0.5, 0.4, 0.5])).toBeGreaterThan(0.5);
    expect(sentimentTrend([])).toBe(0);
  });
});

describe('risk configuration', () => {
  it('when the ladder and role contacts are set, then each rung gets its role and Slack ids', () => {
    const config = loadConfig({ RISK_ACK_LADDER: '2s:team-lead, 1m:Manager', RISK_ROLE_CONTACTS: 'team-lead=U01ABC|S02XYZ,manager=U03DEF' });
    expect(riskEscalationSettings(config).ladder).toEqual([
      { afterMs: 2000, role: 'team-lead', mentions: ['U01ABC', 'S02XYZ'] },
      { afterMs: 60_000, role: 'manager', mentions: ['U03DEF'] },
    ]);
  });

  it.each(['5m:team-lead,1m:manager', '5 minutes:lead', 'team-lead'])('when the ladder is "%s", then the configuration is refused', (ladder) => {
    expect(() => loadConfig({ RISK_ACK_LADDER: ladder })).toThrow(/RISK_ACK_LADDER/);
  });
});

describe('kefu risk feedback', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'kefu-risk-feedback-'));
    const db = await openDatabase({ KEFU_DATA_DIR: dir, DATABASE_SCHEMA: 'public', DATABASE_POOL_MAX: 1 });
    const store = createStore(db);
    const m = await customerMessage(store, 'I will report you to the FCC');
    const { event } = await store.recordRiskEvent({ conversationKey: m.conversationKey, messageId: m.messageId, categories: ['regulator_complaint'], severity: 'medium', score: 4.5, evidence: ['regulator_complaint: "fcc"'], context: {}, excerpt: m.text });
    await store.openRiskEscalation({ id: 'fp-1', workflowId: 'risk:fp', conversationKey: m.conversationKey, category: 'regulator_complaint', severity: 'medium', eventId: event.id, excerpt: m.text, evidence: [] });
    await store.setRiskEscalationStatus({ escalationId: 'fp-1', status: 'false_positive', actor: 'qa-wang', note: 'asking about the FCC rules' });
    await store.recordRiskFeedback({ escalationId: 'fp-1', actor: 'qa-wang', note: 'asking about the FCC rules' });
    await db.close();
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (args: string[]) => runKefu(['risk', 'feedback', ...args], { env: { KEFU_DATA_DIR: dir, DATABASE_URL: undefined, DATABASE_SCHEMA: undefined } });

  it('when exported as JSON, then each false positive is one line with the text, categories, who and note', async () => {
    const r = await run(['--since', '1d', '--json']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([expect.objectContaining({ text: 'I will report you to the FCC', category: 'regulator_complaint', categories: ['regulator_complaint'], actor: 'qa-wang', note: 'asking about the FCC rules' })]);
  }, 60_000);

  it('when --since is not a duration, then it fails with a usage error', async () => {
    const r = await run(['--since', 'last month']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--since');
  }, 60_000);
});
