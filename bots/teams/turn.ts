import { ActivityTypes, type TurnContext } from 'botbuilder';
import { conversationKey } from '../../core/domain.js';
import type { Logger } from '../../core/logger.js';
import type { Store } from '../../core/store/index.js';
import type { Dispatcher } from '../dispatch.js';
import { conversationIdOf, customerIdOf, isPersonal, toInboundMessage } from './inbound.js';
import { welcomeOnce } from './welcome.js';

export interface TeamsTurnDeps {
  dispatcher: Dispatcher;
  store: Store;
  logger: Logger;
}

/**
 * The bot's logic for one inbound activity. It never answers in the turn itself: a customer message is stored and
 * handed to its conversation workflow, whose deliver activity sends the answer proactively.
 */
export function createTeamsTurnHandler(deps: TeamsTurnDeps): (context: TurnContext) => Promise<void> {
  const { dispatcher, store, logger } = deps;

  async function onMessage(context: TurnContext): Promise<void> {
    const activity = context.activity;
    const customerId = customerIdOf(activity);
    const existing = customerId ? await store.getConversation(conversationKey('teams', conversationIdOf(activity, customerId))) : null;
    const inbound = toInboundMessage(activity, existing?.language);
    if (!inbound) {
      logger.debug({ conversation: activity.conversation?.id, activityId: activity.id }, 'teams message ignored (no mention or no content)');
      return;
    }
    // Typing starts before the hand-over so it reaches Teams ahead of the answer; a failure here costs nothing.
    const typing = context.sendActivity({ type: ActivityTypes.Typing }).catch((err: unknown) => {
      logger.debug({ err, conversation: inbound.conversationId }, 'teams typing indicator not sent');
    });
    const { duplicate } = await dispatcher.accept(inbound);
    await typing;
    logger.debug({ conversation: inbound.conversationId, messageId: inbound.messageId, duplicate }, 'teams message accepted');
  }

  async function onConversationUpdate(context: TurnContext): Promise<void> {
    const activity = context.activity;
    const added = activity.membersAdded ?? [];
    const botAdded = added.some((m) => m.id === activity.recipient?.id);
    const userJoinedPersonal = isPersonal(activity) && added.some((m) => m.id !== activity.recipient?.id);
    if (botAdded || userJoinedPersonal) await welcomeOnce(context, { store, logger });
  }

  return async (context) => {
    switch (context.activity.type) {
      case ActivityTypes.Message:
        return onMessage(context);
      case ActivityTypes.ConversationUpdate:
        return onConversationUpdate(context);
      default:
        logger.debug({ type: context.activity.type }, 'teams activity ignored');
    }
  };
}
