import type { Language } from '../../core/domain.js';

const CJK = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/gu;
const LATIN_WORD = /[A-Za-z]+/g;

/**
 * Chinese when CJK characters make up a fair share of the text. One Chinese character carries about as much as
 * an English word, so characters are weighed against words, not letters.
 */
export function detectLanguage(text: string, fallback: Language = 'en'): Language {
  const cjk = text.match(CJK)?.length ?? 0;
  const words = text.match(LATIN_WORD)?.length ?? 0;
  if (cjk === 0 && words === 0) return fallback;
  return cjk >= words * 0.5 ? 'zh' : 'en';
}
