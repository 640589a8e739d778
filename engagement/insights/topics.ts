import { tokenize } from '../../analysis/text/tokenize.js';

const CJK = /^[\u3400-\u9fff]+$/;

/**
 * Words that can stand for a topic: Chinese words of two characters or more, Latin words of three letters or more,
 * no bare numbers, none of the configured stop-words. Deduplicated per message, so one message counts once per topic.
 */
export function topicWords(text: string, stopwords: ReadonlySet<string>): string[] {
  const out = new Set<string>();
  for (const t of tokenize(text)) {
    if (stopwords.has(t) || /^\d+$/.test(t)) continue;
    if (CJK.test(t) ? t.length < 2 : t.length < 3) continue;
    out.add(t);
  }
  return [...out];
}

/** The topics a message counts towards: its intent when the bot recorded one, else its keywords. */
export function messageTopics(m: { text: string; intent: string | null }, stopwords: ReadonlySet<string>): string[] {
  return m.intent ? [`intent:${m.intent}`] : topicWords(m.text, stopwords);
}
