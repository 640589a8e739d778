import type { DeliverInput, DeliverResult } from '../../activities/deliver.js';
import type { Store } from '../../core/store/index.js';
import type { CampaignPlan, SendStepResult } from '../../workflows/outreach-types.js';
import { decideConsent } from '../profiles/consent.js';
import { msUntilAllowed } from './quiet-hours.js';
import type { OutreachSettings } from './settings.js';
import { chooseTarget, messageFor, outreachKey } from './targeting.js';

export interface SendStepDeps {
  store: Store;
  settings: OutreachSettings;
  /** The platform's one delivery path (`deliverReply`): claim, store in the transcript, send through the channel. */
  deliver: (input: DeliverInput) => Promise<DeliverResult>;
  now?: () => Date;
}

export interface SendStepInput {
  plan: CampaignPlan;
  customerId: string;
  stepIndex: number;
}

/**
 * One campaign message to one customer, decided and sent at the moment of sending: consent, quiet hours in the
 * customer's time zone, the frequency cap across all campaigns and the channel's rate limit are all checked now, not
 * when the campaign started. A retry after the claim (crash, transient channel error) skips straight to delivery
 * under the same idempotency key, so the customer gets the message once.
 */
export async function sendCampaignStep(deps: SendStepDeps, input: SendStepInput): Promise<SendStepResult> {
  const { store, settings, plan } = { ...deps, plan: input.plan };
  const now = deps.now?.() ?? new Date();
  const step = plan.steps[input.stepIndex];
  if (!step) throw new Error(`campaign ${plan.name} has no step ${input.stepIndex}`);
  const key = outreachKey(plan.name, input.customerId, step.id);
  const base = { campaign: plan.name, step: step.id } as const;
  const skip = async (reason: Extract<SendStepResult, { status: 'skipped' }>['reason'], detail?: string, customerId = input.customerId): Promise<SendStepResult> => {
    await store.recordOutreachEvent({ ...base, customerId, kind: 'skipped', detail: { reason, ...(detail ? { detail } : {}) }, dedupeKey: `skipped:${key}:${reason}` });
    return { status: 'skipped', reason, ...(detail ? { detail } : {}) };
  };

  const customerId = await store.canonicalCustomerId(input.customerId);
  const profile = customerId ? await store.getProfile(customerId) : null;
  if (!customerId || !profile) return skip('unknown_customer');

  let send = await store.getOutreachSend(key);
  if (send) {
    // Consent is re-checked even on a retry: an opt-out that arrived in between still stops the message.
    const consent = decideConsent(await store.listConsents(customerId), send.channel, plan.purpose, settings.consentDefaults);
    if (!consent.allowed && send.status !== 'delivered') {
      await store.setOutreachSendStatus(key, 'failed');
      return skip(consent.basis === 'opted_out' ? 'opted_out' : 'no_consent', `${send.channel}: ${consent.basis}`, customerId);
    }
  } else {
    if (step.onlyIfNoReply && (await store.hasReplied(plan.name, customerId))) return skip('replied', undefined, customerId);
    const target = await chooseTarget(store, settings, plan, customerId);
    if (!target.ok) return skip(target.reason, target.detail, customerId);
    const waitMs = msUntilAllowed(now, profile.timezone ?? plan.defaultTimezone, plan.quietHours);
    if (waitMs > 0) {
      const until = new Date(now.getTime() + waitMs).toISOString();
      await store.recordOutreachEvent({ ...base, customerId, kind: 'deferred', detail: { reason: 'quiet_hours', until }, dedupeKey: `deferred:${key}:${until}` });
      return { status: 'deferred', reason: 'quiet_hours', waitMs };
    }
    const message = messageFor(profile, step, target.language);
    if (!message.ok) return skip('missing_variable', message.missing.join(', '), customerId);
    const claim = await store.claimOutreachSend(
      { idempotencyKey: key, campaign: plan.name, customerId, step: step.id, channel: target.channel, conversationKey: target.conversationKey, conversionIntents: plan.conversionIntents },
      { frequencyCaps: [settings.frequencyCap, ...plan.frequencyCaps], rate: settings.rateLimits[target.channel] },
    );
    if (claim.status === 'capped') return skip('capped', `${claim.count} outreach message(s) within ${Math.round(claim.windowMs / 1000)}s (max ${claim.max})`, customerId);
    if (claim.status === 'rate_limited') return { status: 'deferred', reason: 'rate_limited', waitMs: claim.retryAfterMs };
    send = claim.send;
    await store.recordOutreachEvent({ ...base, customerId, kind: 'sent', detail: { channel: send.channel, conversationKey: send.conversationKey }, dedupeKey: `sent:${key}` });
  }

  const conversation = await store.getConversation(send.conversationKey);
  const message = messageFor(profile, step, conversation?.language ?? 'zh');
  if (!message.ok) return skip('missing_variable', message.missing.join(', '), customerId);
  const delivered = await deps.deliver({
    conversationKey: send.conversationKey,
    channel: send.channel,
    idempotencyKey: key,
    text: message.text,
    citations: [],
    language: message.language,
    role: 'bot',
    offerHuman: false,
  });
  if (delivered.status === 'failed') {
    await store.setOutreachSendStatus(key, 'failed');
    await store.recordOutreachEvent({ ...base, customerId, kind: 'failed', detail: { error: delivered.error ?? 'delivery failed' }, dedupeKey: `failed:${key}` });
    return { status: 'failed', error: delivered.error ?? 'delivery failed' };
  }
  await store.setOutreachSendStatus(key, 'delivered');
  await store.recordOutreachEvent({ ...base, customerId, kind: 'delivered', detail: { channel: send.channel }, dedupeKey: `delivered:${key}` });
  return { status: delivered.status === 'sent' ? 'sent' : 'already_sent', channel: send.channel, conversationKey: send.conversationKey };
}
