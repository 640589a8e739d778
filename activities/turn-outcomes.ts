import { Context } from '@temporalio/activity';
import { detectLanguage } from '../analysis/text/language.js';
import type { Store } from '../core/store/index.js';
import { noteInboundForOutreach, noteIntentForOutreach } from '../engagement/campaigns/inbound.js';
import type { Engagement } from '../engagement/setup.js';
import type { AnswerTurnInput, TurnAnswer } from './answer.js';

/** The conversation workflow passes the stored message id so outcomes are keyed by it. */
export type RecordedTurnInput = AnswerTurnInput & { messageId?: string };

/**
 * Wraps the answer activity — the first activity of every bot turn — with the bookkeeping profiles, outreach and
 * insights need:
 *  - an opt-out keyword ("退订", "TD", "STOP") is recorded (durably: the activity retries until it is) and answered
 *    with the opt-out confirmation instead of a knowledge-base answer;
 *  - every other turn's outcome (intent, handoff suggested, citations) is stored per message (`turn_outcomes`), and
 *    an intent a recent campaign counts as conversion is recorded as one.
 * The gateway notes opt-outs too (at once, before the turn); both paths are idempotent per message.
 */
export function withTurnOutcomes<A extends { answerTurn(input: AnswerTurnInput): Promise<TurnAnswer> }>(
  activities: A,
  deps: { store: Store; engagement: Pick<Engagement, 'outreach'> },
): Omit<A, 'answerTurn'> & { answerTurn(input: RecordedTurnInput): Promise<TurnAnswer> } {
  const { store, engagement } = deps;
  const settings = engagement.outreach;
  const answer = activities.answerTurn.bind(activities);
  return {
    ...activities,
    async answerTurn(input: RecordedTurnInput): Promise<TurnAnswer> {
      const messageId = input.messageId ?? (await store.findCustomerMessageId(input.conversationKey, input.text));
      const conversation = await store.getConversation(input.conversationKey);
      const channel = conversation?.channel ?? input.channel;
      if (messageId) {
        const noted = await noteInboundForOutreach({ store, settings }, { messageId, conversationKey: input.conversationKey, channel, customerId: input.customerId, text: input.text });
        if (noted.optedOut) {
          const language = input.language ?? conversation?.language ?? detectLanguage(input.text);
          return { text: settings.optOut.confirmation[language], citations: [], confidence: 1, handoffSuggested: false, intent: 'opt_out', language };
        }
      }
      const result = await answer(input);
      if (!messageId) return result;
      try {
        await store.recordTurnOutcome({
          messageId,
          conversationKey: input.conversationKey,
          customerId: conversation?.customerId ?? input.customerId,
          text: input.text,
          language: result.language,
          intent: result.intent,
          confidence: result.confidence,
          handoffSuggested: result.handoffSuggested,
          citations: result.citations.length,
        });
        await noteIntentForOutreach({ store, settings }, { customerId: conversation?.customerId ?? input.customerId, messageId, intent: result.intent });
      } catch (err) {
        // Losing one turn's statistics must not cost the customer a retried (and re-billed) answer.
        Context.current().log.warn('could not record the turn outcome', { conversationKey: input.conversationKey, error: (err as Error).message });
      }
      return result;
    },
  };
}
