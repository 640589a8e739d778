import { proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { RiskAssessment } from '../activities/risk.js';
import type { Language } from '../core/domain.js';
import type { ConversationInput, CustomerMessageSignal } from './conversation-types.js';
import { localActivityProfiles } from './profiles.js';

/** What the conversation remembers for risk context across turns and continue-as-new. */
export interface ConversationRiskCarry {
  /** One entry per earlier category hit in this conversation, oldest first. */
  priorCategories: string[];
  /** Sentiment scores of the earlier customer messages, oldest first. */
  sentiment: number[];
}

// Risk must be checked on every message: retried without limit rather than skipped. A local activity: it is quick
// and on every turn's critical path (saves two round trips through Temporal per message).
const { assessRisk } = proxyLocalActivities<Activities>(localActivityProfiles.inline);

const PRIOR_KEEP = 50;
const SENTIMENT_KEEP = 10;

/**
 * The conversation workflow's risk check: every customer message is assessed before the bot may answer it, with the
 * categories seen earlier in this conversation and its sentiment so far as context (kept here, in workflow state).
 */
export function createRiskGate(input: ConversationInput, carried?: ConversationRiskCarry) {
  const priorCategories = [...(carried?.priorCategories ?? [])];
  const sentiment = [...(carried?.sentiment ?? [])];
  return {
    async assess(msg: CustomerMessageSignal, language?: Language): Promise<RiskAssessment> {
      const verdict = await assessRisk({
        conversationKey: input.key,
        channel: input.channel,
        customerId: input.customerId,
        messageId: msg.messageId,
        text: msg.text,
        language,
        priorCategories: [...priorCategories],
        sentimentHistory: [...sentiment],
      });
      priorCategories.push(...verdict.categories);
      if (priorCategories.length > PRIOR_KEEP) priorCategories.splice(0, priorCategories.length - PRIOR_KEEP);
      sentiment.push(verdict.sentiment);
      if (sentiment.length > SENTIMENT_KEEP) sentiment.splice(0, sentiment.length - SENTIMENT_KEEP);
      return verdict;
    },
    carry(): ConversationRiskCarry {
      return { priorCategories: [...priorCategories], sentiment: [...sentiment] };
    },
  };
}
