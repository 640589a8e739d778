import type { Store } from '../../core/store/index.js';
import type { RiskDetector } from '../../analysis/risk/index.js';
import { detectLanguage } from '../../analysis/text/language.js';
import { evaluateCustomerFlags, type RaisedFlag } from '../flags/evaluate.js';
import type { FlaggingConfig } from '../flags/rules.js';
import { scoreConversation, sentimentTrend } from './sentiment.js';

export interface ProfileUpdateDeps {
  store: Store;
  flagging: FlaggingConfig;
  risk: RiskDetector;
}

export interface ProfileUpdate {
  customerId: string;
  sentiment: number | null;
  sentimentTrend: number | null;
  riskCategories: string[];
  productsOfInterest: string[];
  flags: RaisedFlag[];
}

const PAGE = 500;

/**
 * What a closed conversation teaches about its customer: its sentiment and risk signals (stored once per
 * conversation), the sentiment trend, the language last used, products of interest from its intents, and the flags
 * that now fire. Everything is recomputed from stored data, so running it twice gives the same profile.
 */
export async function updateProfileAfterConversation(deps: ProfileUpdateDeps, conversationKey: string, now: Date = new Date()): Promise<ProfileUpdate | null> {
  const { store, flagging, risk } = deps;
  const conversation = await store.getConversation(conversationKey);
  if (!conversation) return null;
  // The conversation row follows merges; the workflow's own customer id may be stale.
  const customerId = await store.canonicalCustomerId(conversation.customerId);
  if (!customerId) return null;

  const texts: string[] = [];
  for (let after = 0; ; ) {
    const page = await store.listMessages(conversationKey, after, PAGE);
    texts.push(...page.filter((m) => m.role === 'customer').map((m) => m.text));
    if (page.length < PAGE) break;
    after = (page[page.length - 1] as { seq: number }).seq;
  }
  const intents = [...new Set(await store.conversationIntents(conversationKey))];
  const sentiment = scoreConversation(texts);
  const riskCategories = [...new Set(texts.flatMap((t) => risk.classify(t).categories))].sort();
  await store.saveConversationSignals({ conversationKey, customerId, sentiment, riskCategories, intents, customerMessages: texts.length });

  const recent = await store.recentSentiments(customerId);
  const trend = sentimentTrend(recent);
  await store.setSentiment(customerId, recent[0] ?? null, trend);

  const interests = [...new Set(intents.map((i) => flagging.interests[i]).filter((x): x is string => typeof x === 'string'))];
  await store.patchProfile(customerId, {
    // The language the customer last wrote in: the channel's hint, else what their messages read as.
    ...(texts.length > 0 ? { language: conversation.language ?? detectLanguage(texts.join('\n')) } : {}),
    addProductsOfInterest: interests,
  });
  const flags = await evaluateCustomerFlags(store, flagging, customerId, now);
  await store.markProfileUpdated(customerId);
  return { customerId, sentiment, sentimentTrend: trend, riskCategories, productsOfInterest: interests, flags };
}
