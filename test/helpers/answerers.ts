import type { AnswerResult } from '../../core/domain.js';
import { detectLanguage } from '../../analysis/text/language.js';
import type { AnswerQuery, Answerer } from '../../knowledge/answerer.js';

/**
 * Test double for the knowledge side only (Temporal, database and HTTP stay real): replies with a text derived from
 * the question, and can hold an answer until released to simulate a turn in flight during a worker restart.
 */
export function createEchoAnswerer() {
  const calls: string[] = [];
  let gate: Promise<void> | undefined;
  let open: (() => void) | undefined;
  const answerer: Answerer = {
    async answer(q: AnswerQuery): Promise<AnswerResult> {
      calls.push(q.text);
      if (gate) await gate;
      const language = q.language ?? detectLanguage(q.text);
      return { text: `answer to: ${q.text}`, citations: [], confidence: 0.9, handoffSuggested: false, intent: null, language };
    },
  };
  return {
    answerer,
    calls,
    hold() {
      gate = new Promise((r) => (open = r));
    },
    release() {
      gate = undefined;
      open?.();
    },
  };
}
