import type { InboundMessage, StoredMessage } from '../domain.js';
import type { Db } from '../db/types.js';
import { resolveCustomer } from './customers.js';
import { touchConversation, type Conversation } from './conversations.js';
import { insertMessage } from './messages.js';

export interface RecordedInbound {
  /** False when the channel had delivered this message id before. */
  inserted: boolean;
  /** True once the conversation workflow has been signalled for it. */
  dispatched: boolean;
  conversation: Conversation;
  message: StoredMessage;
}

/** Persists a customer message with its customer and conversation in one transaction, before anything else happens. */
export function recordInbound(db: Db, m: InboundMessage): Promise<RecordedInbound> {
  return db.transaction(async (tx) => {
    const customerId = await resolveCustomer(tx, m.channel, m.customerId, { displayName: m.displayName, language: m.language });
    const conversation = await touchConversation(tx, {
      channel: m.channel,
      externalId: m.conversationId,
      customerId,
      language: m.language,
      replyTarget: m.replyTarget,
    });
    const { inserted, message, dispatched } = await insertMessage(tx, {
      conversationKey: conversation.key,
      channel: m.channel,
      channelMessageId: m.messageId,
      role: 'customer',
      text: m.text,
      language: m.language ?? null,
      attachments: m.attachments,
      meta: { receivedAt: m.receivedAt },
    });
    return { inserted, dispatched, conversation, message };
  });
}
