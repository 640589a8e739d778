import { Context } from '@temporalio/activity';
import type { CardMessage } from '../bots/agent-desk.js';
import type { Citation, Language } from '../core/domain.js';
import type { Store } from '../core/store/index.js';
import type { Answerer } from '../knowledge/answerer.js';
import type { Summarizer, SummaryMessage } from '../analysis/summary/index.js';
import type { TranscriptEntry } from '../workflows/conversation-types.js';

export interface HandoffContext {
  customerName?: string;
  summary: string;
  summaryBy: 'llm' | 'extractive';
  lastMessages: CardMessage[];
}

const LAST_MESSAGES = 6;

/** What the agent reads before and while talking to the customer: a summary, and replies drafted from the knowledge base. */
export function createHandoffAssistActivities(deps: { store: Store; answerer: Answerer; summarizer: Summarizer }) {
  const { store, answerer, summarizer } = deps;
  return {
    async prepareHandoffCard(input: { conversationKey: string; customerId: string; language: Language; transcript: TranscriptEntry[] }): Promise<HandoffContext> {
      // The stored messages are complete (the workflow transcript is trimmed); fall back to it for a new conversation.
      const stored = await store.listMessages(input.conversationKey);
      const messages: (SummaryMessage & { at: string })[] = stored.length > 0
        ? stored.slice(-40).map((m) => ({ role: m.role, text: m.text, at: m.createdAt }))
        : input.transcript.map((t) => ({ role: t.role, text: t.text, at: t.at }));
      const [name, summary] = await Promise.all([
        store.getCustomerName(input.customerId),
        summarizer.summarize(messages, input.language),
      ]);
      return {
        customerName: name ?? undefined,
        summary: summary.text,
        summaryBy: summary.by,
        lastMessages: messages.filter((m) => m.role !== 'system').slice(-LAST_MESSAGES).map((m) => ({ role: m.role, text: m.text, at: m.at })),
      };
    },

    /** A draft reply from the knowledge base, or null when the knowledge base has nothing reliable. */
    async suggestReply(input: { text: string; language: Language; history: TranscriptEntry[] }): Promise<{ text: string; citations: Citation[] } | null> {
      const answer = await Promise.race([
        answerer.answer({ text: input.text, language: input.language, history: input.history }),
        Context.current().cancelled,
      ]);
      return answer.handoffSuggested ? null : { text: answer.text, citations: answer.citations };
    },
  };
}
