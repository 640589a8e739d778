import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict';
import * as OpenCC from 'opencc-js';

/**
 * Text → tokens for the intent model, for Chinese (simplified and traditional) and English alike.
 * Han runs are segmented with jieba (dictionary words) and also kept whole for character n-grams, which
 * survive jieba's segmentation mistakes; other scripts are split into letter/digit words.
 */

const HAN = /\p{Script=Han}/u;
const HAN_RUN_OR_WORD = /(\p{Script=Han}+)|([\p{L}\p{N}]+(?:['’][\p{L}]+)*)/gu;

let jieba: Jieba | undefined;
let toSimplified: ((text: string) => string) | undefined;

/** Loading jieba's dictionary takes ~0.2 s, so it happens on first use, once per process. */
function segmenter(): Jieba {
  jieba ??= Jieba.withDict(dict);
  return jieba;
}

function simplify(text: string): string {
  toSimplified ??= OpenCC.Converter({ from: 'tw', to: 'cn' });
  return toSimplified(text);
}

/** NFKC folds full-width letters/digits (common in Chinese IME input) to ASCII; traditional → simplified. */
export function normalizeText(text: string): string {
  const folded = text.normalize('NFKC').toLowerCase();
  return HAN.test(folded) ? simplify(folded) : folded;
}

export interface Tokens {
  /** Words in reading order: jieba words for Han text, letter/digit words otherwise. */
  words: string[];
  /** Non-Han words (character n-grams are taken within each word, padded with spaces at its edges). */
  latinWords: string[];
  /** Whole Han runs (character n-grams are taken across each run). */
  hanRuns: string[];
}

export function tokenize(text: string): Tokens {
  const normalized = normalizeText(text);
  const words: string[] = [];
  const latinWords: string[] = [];
  const hanRuns: string[] = [];
  for (const match of normalized.matchAll(HAN_RUN_OR_WORD)) {
    const [, han, word] = match;
    if (han) {
      hanRuns.push(han);
      for (const w of segmenter().cut(han, true)) words.push(w);
    } else if (word) {
      words.push(word);
      latinWords.push(word);
    }
  }
  return { words, latinWords, hanRuns };
}
