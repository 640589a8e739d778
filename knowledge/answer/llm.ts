import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { StringOutputParser } from '@langchain/core/output_parsers';
import { ChatOpenAI } from '@langchain/openai';
import type { Config } from '../../core/config.js';
import type { RetrievedChunk } from '../store/hybrid-retriever.js';
import { checkReply, type CheckedReply } from './guard.js';
import { answerPrompt, promptVariables, type PromptInput } from './prompt.js';
import { withRetry, type RetryPolicy } from './retry.js';

/** A chat model when one is configured (OPENAI_API_KEY or OPENAI_BASE_URL); undefined → extractive answers only. */
export function createChatModel(config: Pick<Config, 'OPENAI_API_KEY' | 'OPENAI_BASE_URL' | 'LLM_MODEL' | 'LLM_TIMEOUT'>): BaseChatModel | undefined {
  if (!config.OPENAI_API_KEY && !config.OPENAI_BASE_URL) return undefined;
  return new ChatOpenAI({
    model: config.LLM_MODEL,
    apiKey: config.OPENAI_API_KEY ?? 'not-needed',
    configuration: config.OPENAI_BASE_URL ? { baseURL: config.OPENAI_BASE_URL } : undefined,
    temperature: 0.1,
    timeout: config.LLM_TIMEOUT,
    // Retries are ours (answer/retry.ts): bounded by the answer's time budget, with a fallback at the end.
    maxRetries: 0,
  });
}

export interface GenerateOptions {
  timeoutMs: number;
  retry: RetryPolicy;
  onAttemptFailed?: (attempt: number, err: unknown) => void;
}

/**
 * prompt → model → text → checks, retried with backoff when the call fails or the reply is unusable. Throws
 * RetriesExhaustedError when every attempt failed; the caller falls back to the extractive answer.
 */
export async function generateAnswer(model: BaseChatModel, input: PromptInput, options: GenerateOptions): Promise<CheckedReply> {
  const chain = answerPrompt.pipe(model).pipe(new StringOutputParser());
  const variables = promptVariables(input);
  return withRetry(async (attempt) => {
    const remaining = options.retry.deadline !== undefined ? options.retry.deadline - Date.now() : options.timeoutMs;
    const timeout = Math.max(1, Math.min(options.timeoutMs, remaining));
    try {
      const text = await chain.invoke(variables, { signal: AbortSignal.timeout(timeout), runName: 'kefu-answer' });
      return checkReply(text, input.passages as RetrievedChunk[]);
    } catch (err) {
      options.onAttemptFailed?.(attempt, err);
      throw err;
    }
  }, options.retry);
}
