import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Channel, Citation, Language } from '../core/domain.js';
import type { Store } from '../core/store/index.js';
import { PermanentDeliveryError, type ChannelSenders } from '../bots/channel.js';

export interface DeliverInput {
  conversationKey: string;
  channel: Channel;
  idempotencyKey: string;
  text: string;
  citations: Citation[];
  language: Language;
  role?: 'bot' | 'agent' | 'system';
  offerHuman?: boolean;
}

export type DeliverResult = { status: 'sent' | 'already_sent' | 'failed'; error?: string };

/**
 * Sends one reply exactly once per idempotency key: the delivery record is claimed first, the message is stored in
 * the transcript under the same key, and the channel is called only while the record is still pending.
 */
export function createDeliverActivities(deps: { store: Store; senders: ChannelSenders }) {
  const { store, senders } = deps;
  return {
    async deliverReply(input: DeliverInput): Promise<DeliverResult> {
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
        await store.recordDeliveryError(input.idempotencyKey, (err as Error).message, permanent);
        if (permanent) return { status: 'failed', error: (err as Error).message };
        Context.current().log.warn('transient delivery error, will retry', { key: input.idempotencyKey, error: (err as Error).message });
        throw err;
      }
      await store.completeDelivery(input.idempotencyKey, message.id);
      return { status: 'sent' };
    },

    /** Called by a workflow that ran out of retries, so the failure is visible in the database. */
    async giveUpDelivery(input: { idempotencyKey: string; error: string }): Promise<void> {
      await store.recordDeliveryError(input.idempotencyKey, `gave up: ${input.error}`, true);
    },
  };
}
