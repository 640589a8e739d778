import { detectLanguage } from '../analysis/text/language.js';
import type { AnswerResult } from '../core/domain.js';
import type { AnswerQuery, Answerer } from '../knowledge/answerer.js';
import type { IntentRouter } from '../knowledge/routing/router.js';
import type { TurnRoute } from '../workflows/routed.js';

/** A bot turn's result: the reply (if any) and, when intent routing ran, what the conversation workflow does next. */
export type TurnAnswer = AnswerResult & { route?: TurnRoute };

/**
 * Applies the routing table to one customer message (config/routing.yaml):
 *  - answer   → the knowledge-base answer, labelled with the intent;
 *  - clarify  → the route's prompt in the customer's language, no citations;
 *  - handoff  → no reply: the workflow hands the conversation to the queue;
 *  - workflow → the acknowledgement; the workflow starts the named workflow;
 *  - no confident or routed intent → the knowledge base still gets the question, and only if it cannot answer is the
 *    reply the default clarify prompt (still counted as unanswered, so repeated misses reach a person).
 */
export async function answerRouted(deps: { answerer: Answerer; router: IntentRouter }, query: AnswerQuery): Promise<TurnAnswer> {
  const decision = deps.router.route(query.text);
  const { intent, confidence } = decision;
  const language = detectLanguage(query.text, query.language ?? 'en');
  const reply = (text: string, route: TurnRoute): TurnAnswer => ({ text, citations: [], confidence, handoffSuggested: false, intent, language, route });
  switch (decision.action) {
    case 'answer': {
      const answer = await deps.answerer.answer({ ...query, intent });
      return { ...answer, intent, route: { action: 'answer' } };
    }
    case 'clarify':
      return reply(decision.prompt[language], { action: 'clarify' });
    case 'handoff':
      return reply('', { action: 'handoff', queue: decision.queue });
    case 'workflow': {
      const route: TurnRoute = { action: 'workflow', workflow: decision.workflow, queue: decision.queue };
      if (!decision.answerFirst) return reply(decision.reply[language], route);
      const answer = await deps.answerer.answer({ ...query, intent });
      // Without a good passage the acknowledgement stands alone: the specialist will answer on the call.
      if (answer.handoffSuggested) return reply(decision.reply[language], route);
      return { ...answer, intent, handoffSuggested: false, text: `${answer.text}\n\n${decision.reply[answer.language]}`, route };
    }
    case 'fallback': {
      const answer = await deps.answerer.answer({ ...query, intent });
      if (!answer.handoffSuggested) return { ...answer, intent, route: { action: 'answer' } };
      return { ...answer, intent, text: decision.prompt[answer.language], citations: [], route: { action: 'clarify' } };
    }
    default: {
      const unknown: never = decision;
      throw new Error(`unknown route ${JSON.stringify(unknown)}`);
    }
  }
}
