/**
 * Turns categories plus conversation context into a severity level. Additive score so a risk
 * team can read why a message is 'high': each factor is reported in the breakdown.
 */
import type { RiskRulesConfig } from './rules.js';
import type { RiskContext, Severity, SeverityBreakdown } from './types.js';

export type SeverityConfig = RiskRulesConfig['severity'];

const round = (n: number) => Math.round(n * 1000) / 1000;

export function scoreSeverity(categories: readonly string[], context: RiskContext, config: SeverityConfig): SeverityBreakdown {
  const tierMultiplier = config.tierMultipliers[context.valueTier ?? 'default'] ?? config.tierMultipliers['default'] ?? 1;
  if (categories.length === 0) {
    // Context alone never makes a message risky: severity describes this message.
    return { base: 0, multiCategory: 0, repetition: 0, sentiment: 0, tierMultiplier, score: 0 };
  }
  const base = categories.reduce((sum, c) => sum + (config.weights[c] ?? 0), 0);
  const multiCategory = config.multiCategoryBonus * (categories.length - 1);

  const prior = context.priorCategories ?? [];
  const repeats = categories.reduce((sum, c) => sum + Math.min(prior.filter((p) => p === c).length, config.repetition.maxPriorHits), 0);
  const repetition = repeats * config.repetition.perPriorHit + (prior.length > 0 ? config.repetition.anyPriorRisk : 0);

  const trend = Math.max(-1, Math.min(1, context.sentimentTrend ?? 0));
  const sentiment = trend < 0 ? -trend * config.sentiment.weight : 0;

  const score = (base + multiCategory + repetition + sentiment) * tierMultiplier;
  return { base: round(base), multiCategory: round(multiCategory), repetition: round(repetition), sentiment: round(sentiment), tierMultiplier, score: round(score) };
}

export function severityLevel(score: number, thresholds: SeverityConfig['thresholds']): Severity {
  if (score >= thresholds.critical) return 'critical';
  if (score >= thresholds.high) return 'high';
  if (score >= thresholds.medium) return 'medium';
  if (score >= thresholds.low) return 'low';
  return 'none';
}
