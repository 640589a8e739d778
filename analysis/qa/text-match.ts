import * as OpenCC from 'opencc-js/t2cn';

/**
 * Phrase matching for QA rules. Text and phrases go through the same normalisation (full-width → half-width,
 * traditional → simplified Chinese, lower case, one space between words) so a QA lead writes each phrase once,
 * in simplified Chinese or plain English, and it also catches 投資有風險 or "Is There Anything Else".
 */

const toSimplified = OpenCC.Converter({ from: 't', to: 'cn' });

export function normalizeText(text: string): string {
  return toSimplified(text.normalize('NFKC'))
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

export interface PhraseSet {
  /** Literal phrases in Chinese (simplified or traditional). */
  zh: readonly string[];
  /** Literal phrases in English, matched on whole words. */
  en: readonly string[];
  /** Regular expressions (case-insensitive) applied to the normalised text, for wording a list cannot cover. */
  patterns: readonly string[];
}

export interface PhraseHit {
  /** The scorecard phrase that matched, or for a pattern the text it matched (a regex means little in a report). */
  phrase: string;
  /** Offset of the hit in the normalised text. */
  at: number;
}

export interface MatchOptions {
  /**
   * Skip hits preceded by a negation in the same clause (不保本, "no guaranteed returns"), so a compliant
   * disclaimer is not reported as the forbidden promise it denies.
   */
  ignoreNegated?: boolean;
}

export interface PhraseMatcher {
  find(normalizedText: string, options?: MatchOptions): PhraseHit[];
}

const ASCII_WORD_CHAR = /[a-z0-9]/;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Word boundaries only where the phrase edge is a Latin letter or digit: "hi" must not match inside "this". */
function literalToRegExp(phrase: string): RegExp {
  const normalized = normalizeText(phrase);
  const body = normalized.split(' ').map(escapeRegExp).join('\\s*');
  const first = normalized.charAt(0);
  const last = normalized.charAt(normalized.length - 1);
  const before = ASCII_WORD_CHAR.test(first) ? '(?<![a-z0-9])' : '';
  const after = ASCII_WORD_CHAR.test(last) ? '(?![a-z0-9])' : '';
  return new RegExp(`${before}${body}${after}`, 'gu');
}

/** Compiles a scorecard pattern; throws SyntaxError with the regex engine's message when it is invalid. */
export function compilePattern(pattern: string): RegExp {
  return new RegExp(toSimplified(pattern), 'giu');
}

const CLAUSE_BREAK = /[,.!?;:，。！？；：、\n]/u;
const ZH_NEGATION = /(不|没|无|非|未|别|勿)/u;
/** Words that contain a negation character without negating anything (非常稳赚 is "very sure to earn"). */
const ZH_NOT_NEGATION = /(非常|不错|不少|不仅|不断|无论|不管)/gu;
const EN_NEGATION = /\b(not|no|never|cannot|can't|don't|doesn't|won't|isn't|aren't|without|nor|neither)\b/u;

/** Whether the clause right before `at` negates what follows (looks back a few characters / words only). */
export function isNegatedAt(normalizedText: string, at: number): boolean {
  let start = at;
  while (start > 0 && at - start < 24 && !CLAUSE_BREAK.test(normalizedText.charAt(start - 1))) start -= 1;
  const clause = normalizedText.slice(start, at);
  const zhWindow = clause.replace(/[a-z0-9' ]+/g, '').replace(ZH_NOT_NEGATION, '').slice(-4);
  const enWindow = clause.split(' ').filter(Boolean).slice(-4).join(' ');
  return ZH_NEGATION.test(zhWindow) || EN_NEGATION.test(enWindow);
}

export function compilePhraseSet(set: PhraseSet): PhraseMatcher {
  const compiled: { phrase: string | undefined; regex: RegExp }[] = [
    ...[...set.zh, ...set.en].map((phrase) => ({ phrase, regex: literalToRegExp(phrase) })),
    ...set.patterns.map((pattern) => ({ phrase: undefined, regex: compilePattern(pattern) })),
  ];
  return {
    find(normalizedText, options = {}) {
      const hits: PhraseHit[] = [];
      for (const { phrase, regex } of compiled) {
        regex.lastIndex = 0;
        for (const match of normalizedText.matchAll(regex)) {
          const at = match.index;
          if (options.ignoreNegated && isNegatedAt(normalizedText, at)) continue;
          hits.push({ phrase: phrase ?? match[0], at });
          break;
        }
      }
      return hits.sort((a, b) => a.at - b.at);
    },
  };
}
