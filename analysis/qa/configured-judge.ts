import type { Config } from '../../core/config.js';
import { createChatOpenAIJudgeModel, createLlmJudge, type Judge } from './judge.js';
import type { Scorecard } from './scorecard.js';

/** The LLM judge when an LLM is configured (OPENAI_API_KEY or OPENAI_BASE_URL), none otherwise. */
export function configuredJudge(
  scorecard: Scorecard,
  config: Pick<Config, 'OPENAI_API_KEY' | 'OPENAI_BASE_URL' | 'LLM_MODEL' | 'LLM_TIMEOUT'>,
): Judge | undefined {
  if (!config.OPENAI_API_KEY && !config.OPENAI_BASE_URL) return undefined;
  const model = createChatOpenAIJudgeModel({
    model: scorecard.judge.model ?? config.LLM_MODEL,
    apiKey: config.OPENAI_API_KEY,
    baseURL: config.OPENAI_BASE_URL,
    temperature: scorecard.judge.temperature,
    timeoutMs: config.LLM_TIMEOUT,
  });
  return createLlmJudge(model, { method: scorecard.judge.method, maxAttempts: scorecard.judge.maxAttempts });
}
