import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { Language } from '../../core/domain.js';
import type { Logger } from '../../core/logger.js';
import { extractiveSummary, type SummaryMessage } from './extractive.js';
import { llmSummary } from './llm.js';

export type { SummaryMessage } from './extractive.js';

/** Summarises a conversation for the agent who takes it over. */
export interface Summarizer {
  summarize(messages: SummaryMessage[], language: Language): Promise<{ text: string; by: 'llm' | 'extractive' }>;
}

/** The model when one is configured (`createChatModel`), else, or when it fails, the extractive summary. */
export function createSummarizer(opts: { model?: BaseChatModel; timeoutMs?: number; logger?: Logger } = {}): Summarizer {
  return {
    async summarize(messages, language) {
      if (opts.model) {
        try {
          return { text: await llmSummary(opts.model, messages, language, opts.timeoutMs ?? 15_000), by: 'llm' };
        } catch (err) {
          opts.logger?.warn({ err: err instanceof Error ? err.message : String(err) }, 'summary model failed; using the extractive summary');
        }
      }
      return { text: extractiveSummary(messages, language), by: 'extractive' };
    },
  };
}
