import type { RetrievedChunk } from '../store/hybrid-retriever.js';
import { NO_ANSWER, PROMPT_MARKERS } from './prompt.js';
import { readablePassage } from './extractive.js';
import { toSimplified } from '../text/chinese.js';

/** The model's reply could not be used as is; worth another attempt. */
export class MalformedAnswerError extends Error {
  override readonly name = 'MalformedAnswerError';
}

export type CheckedReply =
  | { kind: 'answer'; text: string; cited: number[] }
  | { kind: 'no-answer' }
  | { kind: 'unsafe'; reason: string };

// An amount of money or a percentage, with its unit: ¥50, 50元, $5, 5 yuan, RMB 20, 10%.
const AMOUNT = /(?:[¥￥$€£]|rmb|cny|usd|hk\$)\s?(\d[\d,]*(?:\.\d+)?)|(\d[\d,]*(?:\.\d+)?)\s?(元|块|塊|yuan|dollars?|rmb|%|％|percent)/gi;

/** Amounts as "money:500" / "percent:10", so ¥500 in a reply is not excused by "500 Mbps" in a passage. */
function amounts(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(AMOUNT)) {
    const value = (m[1] ?? m[2] ?? '').replace(/,/g, '');
    const percent = m[3] !== undefined && /%|％|percent/i.test(m[3]);
    if (value) out.push(`${percent ? 'percent' : 'money'}:${Number(value)}`);
  }
  return out;
}

/**
 * Validates a model reply before a customer sees it:
 * - empty, or no valid citation → malformed (retried);
 * - NO_ANSWER → the chain hands off;
 * - echoes of the prompt, or amounts of money or percentages the passages do not state → unsafe (the extractive
 *   answer is used).
 * Citation numbers outside the passage list are removed.
 */
export function checkReply(raw: string, passages: RetrievedChunk[]): CheckedReply {
  const text = raw.trim();
  if (!text) throw new MalformedAnswerError('empty reply');
  if (text === NO_ANSWER || (text.includes(NO_ANSWER) && text.length < NO_ANSWER.length + 20)) return { kind: 'no-answer' };
  if (PROMPT_MARKERS.some((m) => text.toLowerCase().includes(m.toLowerCase())) || text.includes(NO_ANSWER)) {
    return { kind: 'unsafe', reason: 'reply echoes the prompt' };
  }
  const cited = new Set<number>();
  const cleaned = text.replace(/\[(\d{1,2})\]/g, (whole, n: string) => {
    const i = Number(n);
    if (i >= 1 && i <= passages.length) {
      cited.add(i);
      return whole;
    }
    return '';
  });
  if (cited.size === 0) throw new MalformedAnswerError('reply cites no passage');
  const stated = new Set(amounts(toSimplified(passages.map((p) => readablePassage(p)).join('\n'))));
  const invented = amounts(toSimplified(cleaned)).filter((a) => !stated.has(a));
  if (invented.length > 0) return { kind: 'unsafe', reason: `amount(s) not in the passages: ${invented.join(', ')}` };
  return { kind: 'answer', text: cleaned.replace(/[ \t]+\n/g, '\n').trim(), cited: [...cited].sort((a, b) => a - b) };
}
