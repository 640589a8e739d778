/**
 * Puts every message in one canonical form before matching, so rules are written once:
 * full-width ＡＢＣ/１２３ → ASCII (NFKC), traditional → simplified Chinese (HK and TW variants),
 * curly quotes → straight, lower case, collapsed whitespace, then the rule file's rewrites of
 * obfuscated spellings (f*ck → fuck, 傻* → 傻逼).
 */
import * as OpenCC from 'opencc-js';

// Two converters because HK and TW differ in variant characters (e.g. 裏/裡); each is idempotent on
// simplified text, so running both costs little and covers either origin.
const hongKongToSimplified = OpenCC.Converter({ from: 'hk', to: 'cn' });
const taiwanToSimplified = OpenCC.Converter({ from: 'tw', to: 'cn' });

const ZERO_WIDTH = /[\u200b-\u200d\u2060\ufeff]/g;
const CURLY_SINGLE = /[\u2018\u2019\u201b\u2032]/g;
const CURLY_DOUBLE = /[\u201c\u201d\u201f\u2033]/g;
const HAN = /\p{Script=Han}/u;

export function normaliseText(
  text: string,
  replacements: ReadonlyArray<readonly [string, string]> = [],
  rewrites: ReadonlyArray<{ regex: RegExp; replace: string }> = [],
): string {
  let out = text.normalize('NFKC').replace(ZERO_WIDTH, '').replace(CURLY_SINGLE, "'").replace(CURLY_DOUBLE, '"');
  if (HAN.test(out)) out = taiwanToSimplified(hongKongToSimplified(out));
  for (const [from, to] of replacements) out = out.replaceAll(from, to);
  out = out.toLowerCase().replace(/\s+/g, ' ').trim();
  // After lower-casing, so a rewrite is written once for every case of the obfuscated word.
  for (const { regex, replace } of rewrites) out = out.replace(regex, replace);
  return out;
}
