import type { CloudAdapter, ConversationReference } from 'botbuilder';
import type { Logger } from '../../core/logger.js';
import type { Conversation } from '../../core/store/index.js';
import { PermanentDeliveryError, type ChannelSender, type OutboundMessage } from '../channel.js';
import { answerActivity } from './cards.js';
import { classifyTeamsError } from './errors.js';

/** The stored conversation reference, checked enough that a broken row fails the delivery instead of retrying. */
function referenceOf(conversation: Conversation): Partial<ConversationReference> {
  const ref = conversation.replyTarget as Partial<ConversationReference> | null;
  if (!ref || typeof ref.serviceUrl !== 'string' || typeof ref.conversation?.id !== 'string') {
    throw new PermanentDeliveryError(`conversation ${conversation.key} has no Teams conversation reference`);
  }
  return ref;
}

/** Once a person is involved (or asked for), the card no longer offers the button. */
const offersHuman = (conversation: Conversation, message: OutboundMessage) =>
  (message.offerHuman ?? true) && conversation.status !== 'waiting_agent' && conversation.status !== 'with_agent';

/**
 * Sends every Teams message proactively, from the deliver activity, with the conversation reference stored when the
 * customer last wrote: the same path serves replies, agent relays, outreach and anything sent days later.
 */
export function createTeamsSender(deps: { adapter: CloudAdapter; appId: string; logger: Logger }): ChannelSender {
  const { adapter, appId, logger } = deps;
  return {
    channel: 'teams',
    async send(conversation, message) {
      const reference = referenceOf(conversation);
      let activityId: string | undefined;
      try {
        await adapter.continueConversationAsync(appId, reference, async (context) => {
          // A proactive send "replies to" the SDK's synthetic continuation activity, whose id is a random UUID that
          // ends up in the connector URL. Our idempotency key takes its place, so the peer (and its logs) can tell
          // a retried send from a new one.
          context.activity.id = message.idempotencyKey;
          const sent = await context.sendActivity(answerActivity({
            text: message.text,
            citations: message.citations,
            language: message.language,
            offerHuman: offersHuman(conversation, message),
          }));
          activityId = sent?.id;
        });
      } catch (err) {
        throw classifyTeamsError(err);
      }
      logger.info({ conversation: conversation.key, idempotencyKey: message.idempotencyKey, activityId }, 'teams message sent');
      return { channelMessageId: activityId };
    },
  };
}
