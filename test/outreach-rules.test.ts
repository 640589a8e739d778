import { describe, expect, it } from 'vitest';
import { DEFAULT_CAMPAIGNS_DIR, loadCampaigns, parseCampaign } from '../engagement/campaigns/campaign-config.js';
import { isOptOutMessage } from '../engagement/campaigns/opt-out.js';
import { msUntilAllowed } from '../engagement/campaigns/quiet-hours.js';
import { loadOutreachSettings } from '../engagement/campaigns/settings.js';
import { renderTemplate } from '../engagement/campaigns/templates.js';
import { evaluate, explain } from '../engagement/flags/engine.js';
import { parseFlagging } from '../engagement/flags/rules.js';
import { decideConsent } from '../engagement/profiles/consent.js';
import type { Consent } from '../core/store/index.js';

const settings = loadOutreachSettings();

describe('opt-out keywords', () => {
  it.each(['退订', 'TD', 'td', ' STOP ', 'Stop.', 'unsubscribe!', '退訂', '取消订阅'])('when the message is "%s", then it opts out', (text) => {
    expect(isOptOutMessage(text, settings.optOut.keywords)).toBe(true);
  });
  it.each(['how do I stop auto-pay?', '我想退订套餐里的流量包', 'TDD', 'stop sending me bills please', ''])('when the message is "%s", then it does not', (text) => {
    expect(isOptOutMessage(text, settings.optOut.keywords)).toBe(false);
  });
});

describe('quiet hours in the customer\'s time zone', () => {
  const window = { start: '21:00', end: '09:00' };
  it('when it is 23:30 in Shanghai, then sending waits until 09:00 there', () => {
    const now = new Date('2025-03-10T15:30:00Z'); // 23:30 Asia/Shanghai
    expect(msUntilAllowed(now, 'Asia/Shanghai', window)).toBe(9.5 * 3_600_000);
  });
  it('when it is 10:00 in Shanghai but 03:00 in London, then only the London customer waits', () => {
    const now = new Date('2025-03-10T02:00:00Z');
    expect(msUntilAllowed(now, 'Asia/Shanghai', window)).toBe(0);
    expect(msUntilAllowed(now, 'Europe/London', window)).toBe(7 * 3_600_000);
  });
  it('when the window does not span midnight, then the end of the window is the wake-up', () => {
    const now = new Date('2025-03-10T12:00:30Z');
    expect(msUntilAllowed(now, 'UTC', { start: '12:00', end: '12:01' })).toBe(30_000);
    expect(msUntilAllowed(now, 'UTC', null)).toBe(0);
  });
});

describe('templates', () => {
  it('when a value is known, then it is used; else the fallback; else the message is refused', () => {
    expect(renderTemplate('{{name|尊敬的客户}}，您好', { name: '王芳' })).toEqual({ ok: true, text: '王芳，您好' });
    expect(renderTemplate('{{ name | there }}!', {})).toEqual({ ok: true, text: 'there!' });
    expect(renderTemplate('Dear {{name}}, your {{deviceModel}}', { name: 'Ann' })).toEqual({ ok: false, missing: ['deviceModel'] });
  });
});

describe('consent', () => {
  const row = (channel: string, status: Consent['status']): Consent => ({ channel, purpose: 'marketing', status, source: 'test', evidence: null, updatedAt: '' });
  it('when the customer opted out anywhere relevant, then that wins over any grant', () => {
    expect(decideConsent([row('wechat', 'granted'), row('*', 'opted_out')], 'wechat', 'marketing', settings.consentDefaults)).toEqual({ allowed: false, basis: 'opted_out' });
  });
  it('when there is no record, then marketing is denied and service allowed by default', () => {
    expect(decideConsent([], 'teams', 'marketing', settings.consentDefaults).allowed).toBe(false);
    expect(decideConsent([], 'teams', 'service', settings.consentDefaults).allowed).toBe(true);
  });
  it('when the channel has its own record, then it beats the all-channels one', () => {
    expect(decideConsent([row('*', 'granted'), row('teams', 'denied')], 'teams', 'marketing', settings.consentDefaults)).toEqual({ allowed: false, basis: 'denied' });
  });
});

describe('campaign files', () => {
  const base = (zh: string, en: string, extra = '') => `
description: test
purpose: marketing
audience: { flags: [wealth_prospect] }
channels: [web]
${extra}
steps:
  - id: one
    templates:
      zh: "${zh}"
      en: "${en}"
`;
  it('when the example campaigns are loaded, then both pass the compliance checks', () => {
    const all = loadCampaigns(DEFAULT_CAMPAIGNS_DIR, settings);
    expect([...all.keys()]).toEqual(['device-trade-in', 'wealth-follow-up']);
    expect(all.get('wealth-follow-up')?.plan.steps.map((s) => s.delayMs)).toEqual([0, 3 * 86_400_000]);
  });
  it('when a text mentions wealth products without the risk disclosure, then the campaign is refused with the step and language', () => {
    const yaml = base('您好，理财产品了解一下。回复TD退订', 'Our wealth products await. Investments carry risk. Reply STOP to opt out');
    expect(() => parseCampaign('w', yaml, settings)).toThrow(/steps\.one\.templates\.zh: mentions wealth products, so it must contain "理财非存款，产品有风险，投资须谨慎"/);
  });
  it('when a marketing text lacks the opt-out line, then the campaign is refused', () => {
    const yaml = base('您好，新机上市。', 'New phones are here. Reply STOP to opt out');
    expect(() => parseCampaign('p', yaml, settings)).toThrow(/templates\.zh: must contain the opt-out line "回复TD退订"/);
  });
  it('when a campaign has no audience condition, then it is refused', () => {
    const yaml = base('新机上市。回复TD退订', 'New phones. Reply STOP to opt out').replace('audience: { flags: [wealth_prospect] }', 'audience: {}');
    expect(() => parseCampaign('p', yaml, settings)).toThrow(/a campaign to everyone is not allowed/);
  });
});

describe('flag rule engine', () => {
  it('when a rule file names an unknown fact, then loading fails naming the flag and the fact', () => {
    const yaml = 'tiers: [standard]\nflags:\n  x:\n    description: d\n    ttl: 1d\n    when: { fact: intent.wealth.count, op: gte, value: 1 }\n';
    expect(() => parseFlagging(yaml)).toThrow(/flags\.x: unknown fact "intent\.wealth\.count"/);
  });
  it('when `any` fires through one branch, then only that branch is the evidence', () => {
    const facts: Record<string, unknown> = { tier: 'gold', 'sentiment.trend': 0.1, 'risk.churn_threat.conversations_90d': 2 };
    const r = evaluate({ all: [{ fact: 'tier', op: 'in', value: ['gold'] }, { any: [{ fact: 'sentiment.trend', op: 'lte', value: -0.3 }, { fact: 'risk.churn_threat.conversations_90d', op: 'gte', value: 1 }] }] }, (p) => facts[p]);
    expect(r.fired).toBe(true);
    expect(explain(r.evidence)).toBe('tier = gold (in [gold]) and risk.churn_threat.conversations_90d = 2 (≥ 1)');
  });
});
