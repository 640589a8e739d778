import { sentimentScore } from '../../analysis/text/sentiment.js';

/**
 * Profile-level sentiment, built on the per-message lexicon scorer the risk detector uses
 * (analysis/text/sentiment.ts): one score per conversation, and a trend across the customer's conversations.
 */

/** Mean score of the customer's messages that carry any sentiment; null when none do. */
export function scoreConversation(customerTexts: string[]): number | null {
  const scores = customerTexts.map(sentimentScore).filter((s) => s !== 0);
  if (scores.length === 0) return null;
  return round(scores.reduce((a, b) => a + b, 0) / scores.length);
}

/**
 * Trend in [-1, 1] from per-conversation scores, newest first: the mean of the latest three minus the mean of the
 * (up to five) before them. With no earlier conversations the latest are compared with neutral (0), so a first
 * conversation that went badly already reads as a downward trend.
 */
export function sentimentTrend(newestFirst: number[]): number | null {
  if (newestFirst.length === 0) return null;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const recent = newestFirst.slice(0, 3);
  const before = newestFirst.slice(3, 8);
  return round(Math.max(-1, Math.min(1, mean(recent) - (before.length ? mean(before) : 0))));
}

const round = (x: number) => Math.round(x * 1000) / 1000;
