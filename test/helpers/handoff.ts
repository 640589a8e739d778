import type { AnswerResult } from '../../core/domain.js';
import { conversationKey } from '../../core/domain.js';
import type { AnswerQuery, Answerer } from '../../knowledge/answerer.js';
import { guessLanguage } from '../../workflows/handoff-triggers.js';
import { eventually, getMessages, type PublicMessage, type TestPlatform } from './platform.js';

/**
 * A stand-in knowledge base for handoff tests: answers return questions with a citation, cannot answer anything
 * with "???" in it (handoffSuggested), and echoes the rest.
 */
export function createHandoffTestAnswerer(): Answerer & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async answer(q: AnswerQuery): Promise<AnswerResult> {
      calls.push(q.text);
      const language = q.language ?? guessLanguage(q.text);
      if (q.text.includes('???')) {
        return { text: language === 'zh' ? '抱歉，没有找到答案。' : "Sorry, I couldn't find that.", citations: [], confidence: 0.1, handoffSuggested: true, intent: null, language };
      }
      if (/退货|return/i.test(q.text)) {
        const text = language === 'zh' ? '质量问题退货由我们承担运费，其他情况由您承担 [1]。' : 'Returns for faulty items are free; otherwise you pay the postage [1].';
        return { text, citations: [{ index: 1, title: language === 'zh' ? '退货政策' : 'Returns policy', source: 'kb/returns.md' }], confidence: 0.9, handoffSuggested: false, intent: 'returns', language };
      }
      return { text: `answer to: ${q.text}`, citations: [], confidence: 0.8, handoffSuggested: false, intent: null, language };
    },
  };
}

/** Waits until the web conversation has a message matching `pred` and returns it. */
export function waitForMessage(url: string, conversationId: string, pred: (m: PublicMessage) => boolean, what = 'message', timeoutMs = 20_000): Promise<PublicMessage> {
  return eventually(async () => (await getMessages(url, conversationId)).find(pred), timeoutMs, `${what} in ${conversationId}`);
}

/** The open handoff of a web conversation, once recorded. */
export function waitForHandoff(p: TestPlatform, conversationId: string, status?: string, timeoutMs = 20_000) {
  const key = conversationKey('web', conversationId);
  return eventually(async () => {
    const all = await p.store.listHandoffs({});
    return all.find((h) => h.conversationKey === key && (status === undefined || h.status === status));
  }, timeoutMs, `handoff ${status ?? ''} for ${conversationId}`);
}
