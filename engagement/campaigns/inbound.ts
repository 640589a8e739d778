import type { Store } from '../../core/store/index.js';
import { isOptOutMessage } from './opt-out.js';
import type { OutreachSettings } from './settings.js';

export interface InboundOutreachDeps {
  store: Store;
  settings: Pick<OutreachSettings, 'optOut' | 'replyWindowMs'>;
}

export interface InboundCustomerMessage {
  messageId: string;
  conversationKey: string;
  channel: string;
  customerId: string;
  text: string;
}

export interface InboundOutreachResult {
  optedOut: boolean;
  /** The campaign this message answers, when it came within the reply window of one. */
  campaign: string | null;
}

/**
 * What a customer message means for outreach: an opt-out keyword withdraws marketing consent on every channel at
 * once; any other message within the reply window of a campaign message counts as that campaign's reply and tags the
 * conversation with it. Idempotent per message id, so the gateway and the bot's turn may both call it.
 */
export async function noteInboundForOutreach(deps: InboundOutreachDeps, m: InboundCustomerMessage): Promise<InboundOutreachResult> {
  const { store, settings } = deps;
  const customerId = (await store.canonicalCustomerId(m.customerId)) ?? m.customerId;
  const optedOut = isOptOutMessage(m.text, settings.optOut.keywords);
  const send = await store.latestDeliveredSend(customerId, settings.replyWindowMs);
  if (optedOut) {
    await store.setConsent(customerId, { channel: '*', purpose: 'marketing', status: 'opted_out', source: 'customer', evidence: `${m.channel} message ${m.messageId}: ${m.text.slice(0, 100)}` });
    await store.recordOutreachEvent({
      campaign: send?.campaign ?? null,
      customerId,
      kind: 'opted_out',
      detail: { channel: m.channel, messageId: m.messageId, conversationKey: m.conversationKey },
      dedupeKey: `opted_out:${m.messageId}`,
    });
  }
  if (send) {
    await store.tagConversationWithCampaign(m.conversationKey, send.campaign);
    if (!optedOut) {
      await store.recordOutreachEvent({
        campaign: send.campaign,
        customerId,
        step: send.step,
        kind: 'replied',
        detail: { messageId: m.messageId, conversationKey: m.conversationKey },
        dedupeKey: `replied:${send.idempotencyKey}`,
      });
    }
  }
  return { optedOut, campaign: send?.campaign ?? null };
}

/** A turn whose intent is one of the campaign's conversion intents, within the reply window, converts it (once). */
export async function noteIntentForOutreach(deps: InboundOutreachDeps, t: { customerId: string; messageId: string; intent: string | null }): Promise<boolean> {
  if (!t.intent) return false;
  const customerId = (await deps.store.canonicalCustomerId(t.customerId)) ?? t.customerId;
  const send = await deps.store.latestDeliveredSend(customerId, deps.settings.replyWindowMs);
  if (!send || !send.conversionIntents.includes(t.intent)) return false;
  return deps.store.recordOutreachEvent({
    campaign: send.campaign,
    customerId,
    step: send.step,
    kind: 'converted',
    detail: { intent: t.intent, messageId: t.messageId },
    dedupeKey: `converted:${send.campaign}:${customerId}`,
  });
}

/** The gateway's hook (`createDispatcher({ onAccepted })`): the fast path for opt-outs and campaign replies. */
export function outreachInboundHook(deps: InboundOutreachDeps) {
  return async (r: { conversation: { key: string; channel: string; customerId: string }; message: { id: string; text: string } }): Promise<void> => {
    await noteInboundForOutreach(deps, { messageId: r.message.id, conversationKey: r.conversation.key, channel: r.conversation.channel, customerId: r.conversation.customerId, text: r.message.text });
  };
}
