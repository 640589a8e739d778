import { TurnContext } from 'botbuilder';
import type { Language } from '../../core/domain.js';
import type { Logger } from '../../core/logger.js';
import type { Store } from '../../core/store/index.js';
import { touchConversation } from '../../core/store/conversations.js';
import { welcomeActivity, welcomeText } from './cards.js';
import { classifyTeamsError } from './errors.js';
import { PermanentDeliveryError } from '../channel.js';
import { conversationIdOf, customerIdOf, isPersonal, localeLanguage } from './inbound.js';

/**
 * Greets a customer who installs the bot in a personal chat, once per conversation even if Teams repeats the
 * event. The conversation is stored with its reference right away, so outreach can reach a customer who has
 * installed the bot but never written.
 */
export async function welcomeOnce(context: TurnContext, deps: { store: Store; logger: Logger }): Promise<void> {
  const activity = context.activity;
  const language: Language = localeLanguage(activity.locale) ?? 'en';
  const externalCustomer = customerIdOf(activity);
  if (!isPersonal(activity) || !externalCustomer) {
    // A team or group chat: introduce the bot to the room; there is no single customer to file it under.
    await context.sendActivity(welcomeActivity(language));
    return;
  }
  const { store } = deps;
  const customerId = await store.resolveCustomer('teams', externalCustomer, { displayName: activity.from?.name, language });
  const conversation = await touchConversation(store.db, {
    channel: 'teams',
    externalId: conversationIdOf(activity, externalCustomer),
    customerId,
    language,
    replyTarget: { ...TurnContext.getConversationReference(activity) },
  });
  const key = `welcome:${conversation.key}`;
  const delivery = await store.beginDelivery(key, conversation.key, 'teams');
  if (delivery.status !== 'pending') return;
  const { message } = await store.insertMessage({
    conversationKey: conversation.key, channel: 'teams', channelMessageId: key, role: 'bot', text: welcomeText(language), language,
  });
  try {
    await context.sendActivity(welcomeActivity(language));
  } catch (err) {
    const classified = classifyTeamsError(err);
    const permanent = classified instanceof PermanentDeliveryError;
    await store.recordDeliveryError(key, classified.message, permanent);
    deps.logger.warn({ err: classified, conversation: conversation.key }, 'teams welcome not sent');
    // Failing the turn makes Teams repeat the event, and the pending delivery is tried again then.
    if (!permanent) throw classified;
    return;
  }
  await store.completeDelivery(key, message.id);
}
