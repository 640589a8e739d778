/**
 * The learned risk model's features, taken from the text the rules already normalised (NFKC, traditional →
 * simplified, lower case, obfuscations rewritten), so the model and the rules read the same words:
 *
 * - Han runs: character 1–3 grams (no segmenter: character grams survive segmentation mistakes, new words and
 *   mixed scripts, and cost nothing to load);
 * - other words (Latin letters and digits): word uni- and bigrams, and character 3–5 grams inside each word padded
 *   with a space at both ends, so "refunded", "refund" and "refnd" share grams.
 *
 * Every feature is a readable string because the evidence of a learned hit quotes its strongest n-grams. Word
 * n-grams are stored as they read ("money back"); character grams of words get a "~" prefix ("~fund") so the
 * three-letter word "sue" and the gram inside "issue" stay apart.
 */

const HAN_RUN = /\p{Script=Han}+/gu;
const WORD = /[\p{L}\p{N}]+(?:'[\p{L}]+)*/gu;
const HAN_SCRIPT = /\p{Script=Han}/u;

export const CHAR_GRAM_PREFIX = '~';
const HAN_GRAM_MAX = 3;
const CHAR_GRAM_MIN = 3;
const CHAR_GRAM_MAX = 5;

function bump(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** Feature strings of one normalised message with their counts. */
export function extractTerms(normalisedText: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const match of normalisedText.matchAll(HAN_RUN)) {
    const chars = Array.from(match[0]);
    for (let n = 1; n <= HAN_GRAM_MAX; n++) {
      for (let i = 0; i + n <= chars.length; i++) bump(counts, chars.slice(i, i + n).join(''));
    }
  }
  const words: string[] = [];
  for (const match of normalisedText.matchAll(WORD)) {
    // Han characters are \p{L} too; they were handled above as runs, so a word here is split around them.
    for (const part of match[0].split(/\p{Script=Han}+/u)) if (part) words.push(part);
  }
  for (let i = 0; i < words.length; i++) {
    bump(counts, words[i]!);
    if (i + 1 < words.length) bump(counts, `${words[i]} ${words[i + 1]}`);
    const padded = ` ${words[i]} `;
    for (let n = CHAR_GRAM_MIN; n <= CHAR_GRAM_MAX && n <= padded.length; n++) {
      for (let j = 0; j + n <= padded.length; j++) bump(counts, CHAR_GRAM_PREFIX + padded.slice(j, j + n));
    }
  }
  return counts;
}

/**
 * How a feature reads in evidence: a character gram of a word keeps its "~" and shows word edges as "·"
 * ("~ ref" → "~·ref"), so it is not mistaken for a word.
 */
export function displayTerm(term: string): string {
  if (!term.startsWith(CHAR_GRAM_PREFIX)) return term;
  return `${CHAR_GRAM_PREFIX}${term.slice(CHAR_GRAM_PREFIX.length).replace(/ /g, '·')}`;
}

/** The letters a feature covers, for telling that one feature is part of another ("~bac" of "back"). */
export function termCore(term: string): string {
  return (term.startsWith(CHAR_GRAM_PREFIX) ? term.slice(CHAR_GRAM_PREFIX.length) : term).trim();
}

/** The rules' language of a feature: negation cues are per language. */
export function termLanguage(term: string): 'zh' | 'en' {
  return HAN_SCRIPT.test(term) ? 'zh' : 'en';
}

/**
 * Where a feature occurs in the normalised text, for the rules' negation and informational judgement of a learned
 * hit. Word n-grams match at word boundaries; character grams are substrings (their space padding is a boundary).
 */
export function termSpans(term: string, normalisedText: string): { start: number; end: number; text: string }[] {
  const spans: { start: number; end: number; text: string }[] = [];
  if (term.startsWith(CHAR_GRAM_PREFIX)) {
    const gram = term.slice(CHAR_GRAM_PREFIX.length);
    const core = gram.trim();
    if (!core) return spans;
    const source = `${gram.startsWith(' ') ? '(?<![\\p{L}\\p{N}])' : ''}${escapeRegex(core)}${gram.endsWith(' ') ? '(?![\\p{L}\\p{N}])' : ''}`;
    return collect(new RegExp(source, 'gu'), normalisedText);
  }
  if (HAN_SCRIPT.test(term)) {
    let from = 0;
    for (;;) {
      const at = normalisedText.indexOf(term, from);
      if (at < 0) break;
      spans.push({ start: at, end: at + term.length, text: term });
      from = at + 1;
    }
    return spans;
  }
  const words = term.split(' ').map(escapeRegex).join('[^\\p{L}\\p{N}]+');
  return collect(new RegExp(`(?<![\\p{L}\\p{N}])${words}(?![\\p{L}\\p{N}])`, 'gu'), normalisedText);
}

function collect(regex: RegExp, text: string): { start: number; end: number; text: string }[] {
  return [...text.matchAll(regex)].map((m) => ({ start: m.index, end: m.index + m[0].length, text: m[0] }));
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
