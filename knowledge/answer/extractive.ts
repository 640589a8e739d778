import type { Citation, Language } from '../../core/domain.js';
import { looksLikeInstruction, stripInstructionLines } from '../safety.js';
import type { RetrievedChunk } from '../store/hybrid-retriever.js';
import { keywordTokens } from '../text/keywords.js';
import { markdownToPlain, splitSentences } from '../text/sentences.js';
import type { Expansion } from '../text/synonyms.js';
import { EXTRACTIVE_LEAD } from './messages.js';

export interface ExtractiveAnswer {
  text: string;
  citations: Citation[];
}

const MAX_SENTENCES = 3;
const MAX_CHARS: Record<Language, number> = { zh: 220, en: 520 };
/** Another sentence joins the best one when it scores at least this share of it (same passage) … */
const SAME_PASSAGE_SHARE = 0.5;
/** … or this share when it comes from another passage of the same document. */
const OTHER_PASSAGE_SHARE = 0.85;

/**
 * Question types whose answers have a recognisable shape: "how long" wants a duration, "how much" an amount, "why" a
 * cause, a yes/no question a statement that something is or is not so. A sentence of that shape gets a bonus, so the
 * answer quotes "within 3 working days" rather than the topic sentence. `decisive` shapes (a duration, an amount, a
 * cause) also halve the sentences without the shape: only such a sentence answers the question. A yes/no question is
 * answered by a polar sentence — one that affirms or denies (不保本, 非存款, "is not guaranteed", "can only") — but
 * polar words are common, so there the shape is a preference that coverage of the asked terms can outweigh.
 */
const ANSWER_SHAPES: { question: RegExp; sentence: RegExp; decisive: boolean }[] = [
  {
    question: /多久|多长时间|多長時間|几天|幾天|什么时候|什麼時候|何时|何時|多快|how long|how soon|how quickly|how many days|\bwhen\b/i,
    sentence: /\d+\s*(个|個)?\s*(工作日|天|小时|小時|分钟|分鐘|周|週|个月|個月|年|working days?|business days?|days?|hours?|minutes?|weeks?|months?|years?)|当天|當天|次日|立即|same day|next day|immediately/i,
    decisive: true,
  },
  {
    question: /多少钱|多少錢|费用|費用|收费|收費|价格|價格|要钱|要錢|免费|免費|多少|how much|cost|fee|price|charge|free/i,
    sentence: /[¥￥$]\s?\d|\d+\s*(元|块|塊|yuan|rmb)|免费|免費|不收|\bfree\b|no charge/i,
    decisive: true,
  },
  {
    // "why": a sentence naming a cause or a reason.
    question: /为什么|為什麼|为何|為何|为啥|為啥|怎么会|怎麼會|什么原因|什麼原因|\bwhy\b|how come|what causes/i,
    sentence: /因为|因為|由于|由於|原因|导致|導致|造成|引起|所致|\bbecause\b|\bdue to\b|\bcause[sd]?\b|\bcaused by\b|\breasons?\b|\bresult of\b|\bso you (?:may|might|will)\b/i,
    decisive: true,
  },
  {
    // Yes/no: 吗-questions and A-not-A forms (保本吗, 退不退, 能不能); English questions opening with an auxiliary,
    // also after a lead-in ("…, can I return it?").
    question: /[吗嗎麼][\s？?。!！]*$|是否|能否|可否|([\u4e00-\u9fff])[不没沒]\1|^\s*(?:is|are|was|were|can|could|do|does|did|will|would|should|may|must|has|have)\b|[,;]\s*(?:is|are|can|could|do|does|will|would|should|may)\s+(?:i|it|we|you|they|this|that|there)\b/i,
    sentence: /[不非无無未没沒免须須仅僅只]|可以|可能|\b(?:not|no|never|cannot|only|free|must|may|guaranteed?)\b|n't\b/i,
    decisive: false,
  },
];
const SHAPE_BONUS = 0.25;
/** Weight left to sentences without the asked-for shape when the document has sentences with it. */
const UNSHAPED_SHARE = 0.5;
/**
 * An FAQ pair this relevant, whose question itself holds most of the customer's terms, answers by itself: its answer
 * is quoted whole, nothing else added.
 */
const FAQ_DIRECT_RELEVANCE = 0.6;
const FAQ_DIRECT_QUESTION_SHARE = 0.6;

interface Candidate {
  passage: number;
  position: number;
  text: string;
  /** States the kind of thing the question asks for (a duration, an amount). */
  shaped: boolean;
  score: number;
}

/** Default weight of a query term when no IDF is known: longer words say more than particles. */
function lengthWeight(term: string): number {
  return /^[a-z0-9]/.test(term) ? Math.min(term.length, 8) / 4 : Math.min([...term].length, 4) / 2;
}

/** The passage text a customer may see: the FAQ answer alone for FAQ chunks, Markdown flattened, instructions removed. */
export function readablePassage(chunk: RetrievedChunk): string {
  const body = chunk.metadata.answer ?? chunk.content;
  return stripInstructionLines(markdownToPlain(body)).text;
}

export function citationFor(chunk: RetrievedChunk, index: number): Citation {
  const snippet = readablePassage(chunk).replace(/\s+/g, ' ').slice(0, 160);
  return {
    index,
    title: chunk.metadata.title,
    source: chunk.metadata.source,
    ...(chunk.metadata.section ? { section: chunk.metadata.section } : {}),
    ...(snippet ? { snippet } : {}),
  };
}

/**
 * An answer made only of sentences from the passages: the sentences covering most of the question's terms (IDF
 * weighted), from the document of the top-ranked passage, with a bonus for the shape the question asks for; in
 * reading order, each followed by its citation. Instruction-like sentences (a poisoned document) are never used.
 * Undefined when no sentence is usable.
 */
export function extractiveAnswer(
  question: string,
  passages: RetrievedChunk[],
  language: Language,
  termWeights: Map<string, number> = new Map(),
  expansions: readonly Expansion[] = [],
): ExtractiveAnswer | undefined {
  const terms = [...new Set(keywordTokens(question))];
  const weight = (t: string) => termWeights.get(t) ?? lengthWeight(t);
  const total = terms.reduce((s, t) => s + weight(t), 0) || 1;
  // A sentence using a synonym the retriever expanded the question with ("修复" for "修好") covers that term at the
  // synonym's weight, as in the ranking: the answer is looked for in the words the article uses.
  const synonymsOf = new Map<string, Expansion[]>();
  for (const e of expansions) synonymsOf.set(e.source, [...(synonymsOf.get(e.source) ?? []), e]);
  const share = (text: string) => {
    const present = new Set(keywordTokens(text));
    const credit = (t: string) => (present.has(t) ? 1 : Math.max(0, ...(synonymsOf.get(t) ?? []).filter((e) => present.has(e.term)).map((e) => e.weight)));
    return terms.reduce((s, t) => s + credit(t) * weight(t), 0) / total;
  };

  const top = passages[0];
  if (top?.metadata.answer && top.metadata.question && top.scores.relevance >= FAQ_DIRECT_RELEVANCE && share(top.metadata.question) >= FAQ_DIRECT_QUESTION_SHARE) {
    const answer = splitSentences(readablePassage(top)).filter((s) => !looksLikeInstruction(s)).join(language === 'zh' ? '' : ' ');
    if (answer.length > 0 && answer.length <= MAX_CHARS[language] * 1.5) {
      return { text: `${EXTRACTIVE_LEAD[language]}\n${answer}${language === 'zh' ? '' : ' '}[1]`, citations: [citationFor(top, 1)] };
    }
  }
  const shapes = ANSWER_SHAPES.filter((s) => s.question.test(question));
  // Quote one document: the one the ranker put first. Sentences from lower-ranked documents that happen to share
  // more of the question's words were the main source of answers citing the wrong article (bench/retrieval.ts).
  const source = top?.metadata.source;

  const candidates: Candidate[] = [];
  passages.forEach((chunk, passage) => {
    if (chunk.metadata.source !== source) return;
    // Later passages of the same document count a little less than the one the ranker put first.
    const passageFactor = passage === 0 ? 1 : 0.8;
    // A sentence is read under its section heading: a table row "Within 3 working days" answers "how long does a
    // refund take" because it sits under "When refunds are issued".
    const heading = chunk.metadata.section ?? '';
    splitSentences(readablePassage(chunk)).forEach((text, position) => {
      if (looksLikeInstruction(text) || text.replace(/[\s\p{P}]/gu, '').length < 4) return;
      const covered = share(`${heading}\n${text}`);
      const shaped = shapes.some((s) => s.sentence.test(text));
      // Position breaks ties towards the start of a passage, where its topic sentence usually is.
      candidates.push({ passage, position, text, shaped, score: (covered + (shaped ? SHAPE_BONUS : 0)) * passageFactor - position * 0.001 });
    });
  });
  // A question asking for a duration or an amount is answered by a sentence stating one when the document has it,
  // not by its topic sentence ("This article explains … how long it takes").
  const decisive = shapes.filter((s) => s.decisive);
  if (decisive.length > 0 && candidates.some((c) => decisive.some((s) => s.sentence.test(c.text)) && c.score > 0)) {
    for (const c of candidates) if (!decisive.some((s) => s.sentence.test(c.text))) c.score *= UNSHAPED_SHARE;
  }
  if (candidates.length === 0) return undefined;

  const ranked = [...candidates].sort((a, b) => b.score - a.score);
  const best = ranked[0] as Candidate;
  const chosen: Candidate[] = [best];
  let length = best.text.length;
  // The best sentence's own passage first (it continues the same answer), then other passages if they are as good.
  const rest = ranked.slice(1);
  for (const c of [...rest.filter((x) => x.passage === best.passage), ...rest.filter((x) => x.passage !== best.passage)]) {
    if (chosen.length >= MAX_SENTENCES) break;
    const share = c.passage === best.passage ? SAME_PASSAGE_SHARE : OTHER_PASSAGE_SHARE;
    if (c.score <= 0 || c.score < best.score * share) continue;
    if (chosen.some((x) => x.text === c.text) || length + c.text.length > MAX_CHARS[language]) continue;
    chosen.push(c);
    length += c.text.length;
  }
  chosen.sort((a, b) => a.passage - b.passage || a.position - b.position);

  // Citations are numbered in order of first use; one marker after each run of sentences from the same passage.
  const numbers = new Map<number, number>();
  for (const c of chosen) if (!numbers.has(c.passage)) numbers.set(c.passage, numbers.size + 1);
  const parts = chosen.map((c, i) => {
    const sentence = /[。！？.!?；;:：]$/.test(c.text) ? c.text : `${c.text}${language === 'zh' ? '。' : '.'}`;
    if (chosen[i + 1]?.passage === c.passage) return sentence;
    const marker = `[${numbers.get(c.passage)}]`;
    return language === 'zh' ? `${sentence}${marker}` : `${sentence} ${marker}`;
  });
  const body = parts.join(language === 'zh' ? '' : ' ');
  const citations = [...numbers.entries()].map(([passage, index]) => citationFor(passages[passage] as RetrievedChunk, index));
  return { text: `${EXTRACTIVE_LEAD[language]}\n${body}`, citations };
}
