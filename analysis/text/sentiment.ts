/**
 * A small bilingual sentiment lexicon for one customer message and the trend over a conversation. It only has to
 * tell "getting angrier" from "calming down" for the risk detector's severity (a nudge, never a category), so a
 * word list with negation and intensifiers is enough and runs in microseconds on every message.
 *
 * Text is normalised the way the risk rules see it (NFKC, traditional → simplified, lower case), so the Chinese
 * lists are written in simplified characters only.
 */
import { normaliseText } from '../risk/normalise.js';

const ZH_POSITIVE = ['谢谢', '感谢', '多谢', '满意', '很好', '不错', '太好了', '解决了', '搞定了', '方便', '专业', '点赞', '给力',
  '及时', '开心', '高兴', '喜欢', '辛苦了', '靠谱', '好的', '明白了', '棒'];
const ZH_NEGATIVE = ['投诉', '生气', '失望', '太差', '很差', '差劲', '垃圾', '骗子', '欺骗', '坑人', '不满', '愤怒', '糟糕', '离谱',
  '无语', '恶心', '气死', '没用', '烦死', '太慢', '等了很久', '再也不', '忍无可忍', '受够了', '过分', '荒唐', '混蛋', '废物',
  '欺诈', '黑心', '曝光', '起诉', '律师', '骗人', '搞什么', '什么破', '耍我', '敷衍', '推卸', '踢皮球'];
const EN_POSITIVE = ['thanks', 'thank you', 'great', 'good', 'excellent', 'helpful', 'resolved', 'perfect', 'happy', 'appreciate',
  'love', 'awesome', 'quick', 'fast', 'nice', 'glad', 'wonderful', 'fixed', 'works now'];
const EN_NEGATIVE = ['angry', 'terrible', 'awful', 'worst', 'useless', 'disappointed', 'complaint', 'complain', 'ridiculous', 'scam',
  'frustrated', 'frustrating', 'unacceptable', 'horrible', 'slow', 'bad', 'annoyed', 'waste', 'never again', 'rip off', 'fed up',
  'furious', 'outrageous', 'pathetic', 'incompetent', 'lawyer', 'sue', 'fraud', 'lied', 'liars', 'sick of', 'joke', 'disgusting'];

const ZH_INTENSIFIERS = /(非常|特别|太|真的|极其|超级|十分|简直)$/u;
const EN_INTENSIFIERS = /\b(very|so|really|extremely|absolutely|totally|completely)\s+$/;
// A negator just before a word flips it: 不满意 → negative, 不差 → positive, "not happy" → negative.
const ZH_NEGATORS = /(不|没|别|未|不太|不是很|没有)$/u;
const EN_NEGATORS = /\b(not|never|no|isn't|wasn't|don't|didn't|hardly|not very|not so)\s+(\w+\s+)?$/;

const zhLexicon = [...ZH_POSITIVE.map((w) => [w, 1] as const), ...ZH_NEGATIVE.map((w) => [w, -1] as const)]
  .sort((a, b) => b[0].length - a[0].length);
const enPatterns = [...EN_POSITIVE.map((w) => [w, 1] as const), ...EN_NEGATIVE.map((w) => [w, -1] as const)]
  .map(([w, polarity]) => ({ re: new RegExp(`\\b${w.replace(/\s/g, '[-\\s]')}\\b`, 'g'), polarity }));

/** Signed weights of the sentiment-bearing words in a normalised text. */
function weights(t: string): number[] {
  const out: number[] = [];
  // Chinese: longest word at each position, so 不满 is not also read as 满意's neighbour and counted twice.
  for (let i = 0; i < t.length; ) {
    const found = zhLexicon.find(([w]) => t.startsWith(w, i));
    if (!found) {
      i += 1;
      continue;
    }
    const [word, polarity] = found;
    const before = t.slice(Math.max(0, i - 4), i);
    const negated = !/^[不没]/u.test(word) && ZH_NEGATORS.test(before);
    const boost = ZH_INTENSIFIERS.test(before) ? 1.5 : 1;
    out.push((negated ? -polarity : polarity) * boost);
    i += word.length;
  }
  for (const { re, polarity } of enPatterns) {
    for (const m of t.matchAll(re)) {
      const before = t.slice(Math.max(0, m.index - 30), m.index);
      const boost = EN_INTENSIFIERS.test(before) ? 1.5 : 1;
      out.push((EN_NEGATORS.test(before) ? -polarity : polarity) * boost);
    }
  }
  return out;
}

/** Sentiment of one message in [-1, 1]; 0 when nothing in it carries sentiment. */
export function sentimentScore(text: string): number {
  const t = normaliseText(text);
  const w = weights(t);
  if (w.length === 0) return 0;
  let sum = w.reduce((a, b) => a + b, 0);
  // Shouting ("!!!", "？？？") makes a negative message more negative; it says nothing about positive ones.
  if (sum < 0 && /[!?！？]{2,}/u.test(text)) sum -= 0.5;
  // +1 in the denominator keeps a single word from reading as certainty.
  return clamp(sum / (w.length + 1));
}

/**
 * Trend of a conversation in [-1, 1] from its customer messages' scores, oldest first: the mean of the latest two
 * minus the mean of the (up to five) before them. With no earlier messages the latest is compared with neutral (0),
 * so an angry first message already reads as worsening — which is what the risk severity wants to know.
 */
export function sentimentTrend(scoresOldestFirst: readonly number[]): number {
  if (scoresOldestFirst.length === 0) return 0;
  const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const recent = scoresOldestFirst.slice(-2);
  const before = scoresOldestFirst.slice(-7, -2);
  return round(clamp(mean(recent) - (before.length > 0 ? mean(before) : 0)));
}

const clamp = (x: number) => Math.max(-1, Math.min(1, x));
const round = (x: number) => Math.round(x * 1000) / 1000;
