import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Channel, Citation, Language } from '../core/domain.js';
import { metrics, secondsSince } from '../core/metrics.js';
import type { Store } from '../core/store/index.js';
import { PermanentDeliveryError, type ChannelSenders } from '../bots/channel.js';
import { withHeartbeat } from './heartbeat.js';

export interface DeliverInput {
  conversationKey: string;
  channel: Channel;
  idempotencyKey: string;
  text: string;
  citations: Citation[];
  language: Language;
  role?: 'bot' | 'agent' | 'system';
  offerHuman?: boolean;
  /** The customer message this answers: when it was stored, for the reply-latency histogram. */
  repliesTo?: { receivedAt: string };
}

export type DeliverResult = { status: 'sent' | 'already_sent' | 'failed'; error?: string };

/**
 * Sends one reply exactly once per idempotency key: the delivery record is claimed first, the message is stored in
 * the transcript under the same key, and the channel is called only while the record is still pending.
 */
export function createDeliverActivities(deps: { store: Store; senders: ChannelSenders }) {
  const { store, senders } = deps;
  return {
    /** Heartbeats, so a conversation whose worker died mid-send is retried within its heartbeat timeout. */
    deliverReply: (input: DeliverInput): Promise<DeliverResult> => withHeartbeat(() => deliverOnce(input)),

    /** Called by a workflow that ran out of retries, so the failure is visible in the database. */
    async giveUpDelivery(input: { idempotencyKey: string; error: string }): Promise<void> {
      await store.recordDeliveryError(input.idempotencyKey, `gave up: ${input.error}`, true);
      const delivery = await store.getDelivery(input.idempotencyKey);
      metrics.deliveryFailures.inc({ channel: delivery?.channel ?? 'unknown', kind: 'gave_up' });
    },
  };

  async function deliverOnce(input: DeliverInput): Promise<DeliverResult> {
    const delivery = await store.beginDelivery(input.idempotencyKey, input.conversationKey, input.channel);
    if (delivery.status === 'sent') return { status: 'already_sent' };
    if (delivery.status === 'failed') return { status: 'failed', error: delivery.lastError ?? undefined };

    const conversation = await store.getConversation(input.conversationKey);
    if (!conversation) throw ApplicationFailure.nonRetryable(`unknown conversation ${input.conversationKey}`);
    const { message } = await store.insertMessage({
      conversationKey: input.conversationKey,
      channel: input.channel,
      channelMessageId: input.idempotencyKey,
      role: input.role ?? 'bot',
      text: input.text,
      language: input.language,
      citations: input.citations,
    });
    const sender = senders[input.channel];
    if (!sender) {
      await store.recordDeliveryError(input.idempotencyKey, `no sender configured for channel ${input.channel}`, true);
      return { status: 'failed', error: `no sender for ${input.channel}` };
    }
    try {
      await sender.send(conversation, { ...input, idempotencyKey: input.idempotencyKey });
    } catch (err) {
      const permanent = err instanceof PermanentDeliveryError;
      metrics.deliveryFailures.inc({ channel: input.channel, kind: permanent ? 'permanent' : 'transient' });
      await store.recordDeliveryError(input.idempotencyKey, (err as Error).message, permanent);
      if (permanent) return { status: 'failed', error: (err as Error).message };
      Context.current().log.warn('transient delivery error, will retry', { key: input.idempotencyKey, error: (err as Error).message });
      throw err;
    }
    // The peer has the message now. Should the database be away for a moment (a restart), keep trying to record
    // that here: failing the activity would make its retry send the message a second time.
    await retryBriefly(() => store.completeDelivery(input.idempotencyKey, message.id), SENT_MARK_BUDGET_MS);
    metrics.deliveries.inc({ channel: input.channel, role: input.role ?? 'bot' });
    if (input.repliesTo) metrics.replyLatency.observe({ channel: input.channel }, secondsSince(input.repliesTo.receivedAt));
    return { status: 'sent' };
  }
}

/** Within the deliver profile's 30 s start-to-close timeout, leaving room for the send itself. */
const SENT_MARK_BUDGET_MS = 20_000;

async function retryBriefly(write: () => Promise<void>, budgetMs: number): Promise<void> {
  const deadline = Date.now() + budgetMs;
  for (let wait = 100; ; wait = Math.min(wait * 2, 2000)) {
    try {
      return await write();
    } catch (err) {
      if (Date.now() + wait > deadline) throw err;
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}
