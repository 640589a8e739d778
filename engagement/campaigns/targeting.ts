import type { Channel, Language } from '../../core/domain.js';
import type { CustomerProfile, Store } from '../../core/store/index.js';
import type { CampaignPlan, CampaignStep, StepSkipReason } from '../../workflows/outreach-types.js';
import { decideConsent } from '../profiles/consent.js';
import type { OutreachSettings } from './settings.js';
import { renderTemplate } from './templates.js';

export type Target =
  | { ok: true; channel: Channel; conversationKey: string; language: Language }
  | { ok: false; reason: Extract<StepSkipReason, 'opted_out' | 'no_consent' | 'no_channel'>; detail: string };

/** Channels that can only be reached through a stored reply target (a Teams conversation reference, a WeChat contact). */
const PUSH_CHANNELS = new Set<Channel>(['teams', 'wechat']);

/**
 * Where a campaign reaches this customer: the latest conversation on the first of the campaign's channels that the
 * customer has used, can be reached on, and consented to for the campaign's purpose.
 */
export async function chooseTarget(store: Store, settings: OutreachSettings, plan: CampaignPlan, customerId: string, only?: Channel): Promise<Target> {
  const [conversations, consents] = await Promise.all([store.latestConversationPerChannel(customerId), store.listConsents(customerId)]);
  const refused: string[] = [];
  let optedOut = false;
  for (const channel of only ? [only] : plan.channels) {
    const conversation = conversations.find((c) => c.channel === channel);
    if (!conversation || (PUSH_CHANNELS.has(channel) && !conversation.hasReplyTarget)) continue;
    const consent = decideConsent(consents, channel, plan.purpose, settings.consentDefaults);
    if (!consent.allowed) {
      optedOut ||= consent.basis === 'opted_out';
      refused.push(`${channel}: ${consent.basis === 'default' ? `no ${plan.purpose} consent` : consent.basis}`);
      continue;
    }
    const full = await store.getConversation(conversation.key);
    return { ok: true, channel, conversationKey: conversation.key, language: full?.language ?? 'zh' };
  }
  if (refused.length) return { ok: false, reason: optedOut ? 'opted_out' : 'no_consent', detail: refused.join('; ') };
  return { ok: false, reason: 'no_channel', detail: `no conversation on ${(only ? [only] : plan.channels).join(', ')}` };
}

/** The step's text for this customer: their language (else the conversation's), personalised from the profile. */
export function messageFor(profile: CustomerProfile, step: CampaignStep, fallbackLanguage: Language): { ok: true; text: string; language: Language } | { ok: false; missing: string[] } {
  const language = profile.language ?? fallbackLanguage;
  const vars: Record<string, string | undefined> = { name: profile.displayName ?? undefined, tier: profile.tier };
  for (const [k, v] of Object.entries(profile.attributes)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') vars[k] = String(v);
  }
  const r = renderTemplate(step.templates[language], vars);
  return r.ok ? { ok: true, text: r.text, language } : r;
}

/** The delivery idempotency key of one campaign step for one customer. */
export const outreachKey = (campaign: string, customerId: string, stepId: string) => `outreach:${campaign}:${customerId}:${stepId}`;
