import type { AnswerResult } from '../../core/domain.js';
import { detectLanguage } from '../../analysis/text/language.js';
import type { AnswerQuery, Answerer } from '../../knowledge/answerer.js';

const INTENTS: [RegExp, string][] = [
  [/refund|退款/i, 'refund'],
  [/parcel|package|包裹|快递/i, 'delivery'],
  [/bill|账单/i, 'billing'],
];

/**
 * Answers like the echo answerer, with an intent by keyword. With intent routing on (the default), the recorded
 * intent is the intent model's, which these labels match; they matter only when routing is off.
 */
export function createIntentAnswerer(): Answerer {
  return {
    async answer(q: AnswerQuery): Promise<AnswerResult> {
      const intent = INTENTS.find(([re]) => re.test(q.text))?.[1] ?? null;
      return { text: `answer to: ${q.text}`, citations: [], confidence: 0.9, handoffSuggested: false, intent, language: q.language ?? detectLanguage(q.text) };
    },
  };
}
