import type { Channel, Citation, Language } from '../core/domain.js';
import type { Conversation } from '../core/store/index.js';

/** A reply on its way out; `idempotencyKey` is stable across activity retries so peers can de-duplicate too. */
export interface OutboundMessage {
  idempotencyKey: string;
  text: string;
  language: Language;
  citations: Citation[];
  /** Offer the customer a way to reach a person (Teams button, WeChat hint). */
  offerHuman?: boolean;
}

/** What every channel adapter implements for sending; the deliver activity picks one by channel name. */
export interface ChannelSender {
  readonly channel: Channel;
  send(conversation: Conversation, message: OutboundMessage): Promise<{ channelMessageId?: string }>;
}

/** A send that will never succeed (blocked contact, 4xx): recorded as failed, not retried. */
export class PermanentDeliveryError extends Error {
  override readonly name = 'PermanentDeliveryError';
}

export type ChannelSenders = Partial<Record<Channel, ChannelSender>>;
