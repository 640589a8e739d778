import { Context } from '@temporalio/activity';
import { withHeartbeat } from './heartbeat.js';
import type { Channel, Language } from '../core/domain.js';
import type { Answerer } from '../knowledge/answerer.js';
import type { IntentRouter } from '../knowledge/routing/router.js';
import type { TranscriptEntry } from '../workflows/conversation-types.js';
import { answerRouted, type TurnAnswer } from './route-turn.js';

export type { TurnAnswer } from './route-turn.js';

export interface AnswerTurnInput {
  conversationKey: string;
  channel: Channel;
  customerId: string;
  text: string;
  language?: Language;
  history: TranscriptEntry[];
  /**
   * Set by conversation workflows that act on the route (patch `intent-routing`); a run of older workflow code
   * leaves it unset and gets a plain knowledge-base answer, as before.
   */
  route?: boolean;
}

/** `router` is absent when routing is off (ROUTING_FILE=off): every turn is a knowledge-base answer. */
export function createAnswerActivities(deps: { answerer: Answerer; router?: IntentRouter }) {
  const { answerer, router } = deps;
  return {
    async answerTurn(input: AnswerTurnInput): Promise<TurnAnswer> {
      const query = { text: input.text, language: input.language, history: input.history };
      const turn = () => (input.route && router ? answerRouted({ answerer, router }, query) : answerer.answer(query));
      // Racing the cancellation lets a shutting-down worker hand the turn back at once instead of holding it.
      return withHeartbeat(() => Promise.race([turn(), Context.current().cancelled]));
    },
  };
}
