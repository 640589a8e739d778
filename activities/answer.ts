import { Context } from '@temporalio/activity';
import { withHeartbeat } from './heartbeat.js';
import type { AnswerResult, Channel, Language } from '../core/domain.js';
import type { Answerer } from '../knowledge/answerer.js';
import type { TranscriptEntry } from '../workflows/conversation-types.js';

export interface AnswerTurnInput {
  conversationKey: string;
  channel: Channel;
  customerId: string;
  text: string;
  language?: Language;
  history: TranscriptEntry[];
}

export function createAnswerActivities(deps: { answerer: Answerer }) {
  return {
    async answerTurn(input: AnswerTurnInput): Promise<AnswerResult> {
      // Racing the cancellation lets a shutting-down worker hand the turn back at once instead of holding it.
      return withHeartbeat(() => Promise.race([
        deps.answerer.answer({ text: input.text, language: input.language, history: input.history }),
        Context.current().cancelled,
      ]));
    },
  };
}
