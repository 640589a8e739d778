import { tokenize } from '../../analysis/text/tokenize.js';
import { toSimplified } from './chinese.js';
import { stripQuestionWords } from './question-words.js';

/**
 * Crude suffix stripping for English so "refunds", "refunded" and "refund" meet in the keyword index. It only has to
 * be consistent: documents and queries go through the same function.
 */
export function stemEnglish(word: string): string {
  let w = word;
  if (w.length > 4 && w.endsWith('ies')) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith('s') && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);
  if (w.length > 5 && w.endsWith('ing')) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith('ed')) w = w.slice(0, -2);
  if (w.length > 4 && w.endsWith('e')) w = w.slice(0, -1);
  return w;
}

const LATIN = /^[a-z0-9]/;

/**
 * Words that carry no topic in customer questions, on top of `tokenize`'s stop-words: question words, auxiliaries,
 * pronouns and particles. Left in, they match every passage and make an off-topic question look answerable.
 */
const EXTRA_STOP = new Set([
  'what', 'why', 'who', 'whom', 'when', 'where', 'which', 'whose', 'there', 'their', 'them', 'they', 'theyre', 'we', 'us', 'our',
  'he', 'she', 'his', 'her', 'him', 'its', 'im', 'ive', 'id', 'dont', 'doesnt', 'didnt', 'cant', 'wont', 'isnt', 'arent',
  'will', 'would', 'should', 'could', 'shall', 'may', 'might', 'must', 'did', 'done', 'doing', 'been', 'being', 'were', 'am',
  'if', 'but', 'so', 'than', 'then', 'just', 'really', 'very', 'also', 'still', 'yet', 'any', 'some', 'all', 'about', 'into',
  'out', 'up', 'here', 'like', 'get', 'got', 'want', 'need', 'know', 'tell', 'let', 'make', 'take', 'go', 'going', 'thing',
  'things', 'stuff', 'one', 'way', 'yes', 'hi', 'hello', 'thanks', 'thank', 'ok', 'okay', 'much', 'many', 'more', 'most',
  '什么', '怎么办', '怎样', '怎么样', '为什么', '为啥', '啥', '咋', '咋办', '还', '都', '就', '也', '把', '给', '让', '被', '会',
  '想', '我想', '你们', '我们', '他们', '她们', '可以', '能不能', '不', '没', '没有', '么', '呀', '哦', '嘛', '哈', '呢', '一个',
  '这', '那', '哪', '这样', '那样', '已经', '现在', '还是', '就是', '但是', '可是', '如果', '因为', '所以', '然后', '一下子', '好的',
  '谢谢', '你好', '您好', '您', '需要', '应该', '是不是', '有没有', '要不要', '行不行',
]);
// Only letters and digits reach the tsquery: anything else could change its syntax.
const SAFE = /^[\p{L}\p{N}]+$/u;

/**
 * Search tokens for the keyword index and for queries: traditional → simplified, question words removed
 * (question-words.ts), jieba words for Chinese, stemmed words for English (stop-words dropped by `tokenize`).
 * Stored space-separated and indexed with `to_tsvector('simple', tokens)`, so PostgreSQL needs no Chinese parser.
 */
export function keywordTokens(text: string): string[] {
  return tokenize(stripQuestionWords(toSimplified(text)))
    .map((t) => (LATIN.test(t) ? t.replace(/'/g, '') : t))
    .filter((t) => t.length > 0 && !EXTRA_STOP.has(t) && SAFE.test(t))
    .map((t) => (LATIN.test(t) ? stemEnglish(t) : t));
}

/** `a | b | c` for `to_tsquery('simple', …)`; undefined when nothing searchable is left. */
export function orQuery(tokens: readonly string[]): string | undefined {
  const unique = [...new Set(tokens.filter((t) => SAFE.test(t)))];
  return unique.length > 0 ? unique.join(' | ') : undefined;
}
