import { randomUUID } from 'node:crypto';
import type { ChannelSender, OutboundMessage } from '../../bots/channel.js';
import type { AnswerResult, Channel } from '../../core/domain.js';
import type { CampaignDefinition } from '../../engagement/campaigns/campaign-config.js';
import { detectLanguage } from '../../analysis/text/language.js';
import type { Answerer } from '../../knowledge/answerer.js';
import type { CampaignPlan, CampaignStep } from '../../workflows/outreach-types.js';
import type { TestPlatform } from './platform.js';

export interface SentMessage {
  conversationKey: string;
  idempotencyKey: string;
  text: string;
  at: number;
}

/** A ChannelSender that accepts everything and remembers it, for channels whose peer the test does not run. */
export function createRecordingSender(channel: Channel) {
  const sent: SentMessage[] = [];
  const sender: ChannelSender = {
    channel,
    async send(conversation, message: OutboundMessage) {
      sent.push({ conversationKey: conversation.key, idempotencyKey: message.idempotencyKey, text: message.text, at: Date.now() });
      return {};
    },
  };
  return { sender, sent, outreach: (campaign?: string) => sent.filter((s) => s.idempotencyKey.startsWith(campaign ? `outreach:${campaign}:` : 'outreach:')) };
}

/** Echo answers with an intent picked by keyword, so conversion and profile rules have something to read. */
export function createIntentAnswerer(): Answerer {
  const intentOf = (t: string) => (/理财|wealth/i.test(t) ? 'wealth_products' : /换新|换机|trade.?in/i.test(t) ? 'trade_in' : null);
  return {
    async answer(q): Promise<AnswerResult> {
      const language = q.language ?? detectLanguage(q.text);
      return { text: `answer to: ${q.text}`, citations: [], confidence: 0.9, handoffSuggested: false, intent: intentOf(q.text), language };
    },
  };
}

const TEMPLATES = { zh: '{{name|您好}}，新品上市。回复TD退订', en: 'Hi {{name|there}}, something new for you. Reply STOP to opt out' };

export const step = (id: string, over: Partial<CampaignStep> = {}): CampaignStep => ({ id, delayMs: 0, onlyIfNoReply: false, templates: TEMPLATES, ...over });

/** A campaign plan for tests: everything explicit, durations in (milli)seconds. */
export function testPlan(name: string, tag: string, over: Partial<CampaignPlan> = {}): CampaignPlan {
  return {
    name,
    purpose: 'marketing',
    audience: { flags: [], tags: [tag], tiers: [], languages: [] },
    channels: ['web'],
    quietHours: null,
    defaultTimezone: 'UTC',
    frequencyCaps: [],
    maxRecipientsPerRun: 100,
    conversionIntents: ['trade_in'],
    steps: [step('one')],
    ...over,
  };
}

export const definition = (plan: CampaignPlan): CampaignDefinition => ({ plan, enabled: true, description: 'test', schedule: null, refreshFlags: false, file: `${plan.name}.yaml` });

/**
 * A customer who has written on the web channel once (stored directly, as the gateway would), tagged for one test's
 * audience, with marketing consent unless told otherwise.
 */
export async function seedWebCustomer(p: TestPlatform, o: { tag: string; name?: string; consent?: boolean; timezone?: string; language?: 'zh' | 'en' }) {
  const external = `cust-${randomUUID()}`;
  const recorded = await p.store.recordInbound({
    channel: 'web', conversationId: `conv-${randomUUID()}`, customerId: external, messageId: randomUUID(),
    text: o.language === 'en' ? 'hello' : '你好', language: o.language ?? 'zh', receivedAt: new Date().toISOString(), displayName: o.name,
  });
  await p.store.markDispatched(recorded.message.id);
  const id = recorded.conversation.customerId;
  await p.store.patchProfile(id, { addTags: [o.tag], ...(o.timezone ? { timezone: o.timezone } : {}), ...(o.language ? { language: o.language } : {}) });
  if (o.consent !== false) await p.store.setConsent(id, { channel: '*', purpose: 'marketing', status: 'granted', source: 'test' });
  return { id, external, conversationId: recorded.conversation.externalId, conversationKey: recorded.conversation.key };
}
