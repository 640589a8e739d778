import path from 'node:path';
import { detectLanguage } from '../../../analysis/text/language.js';
import type { Language } from '../../../core/domain.js';
import { parseCsv } from '../../csv.js';
import { LoadError, type FaqPair, type LoadedDocument, type RawSource } from '../types.js';
import { asLanguage, asTags } from './markdown.js';

const QUESTION = ['question', 'q', '问题', '問題'];
const ANSWER = ['answer', 'a', '答案', '回答', '答复', '答覆'];
const TAGS = ['tags', 'tag', '标签', '標籤'];
const LANG = ['lang', 'language', '语言', '語言'];

function pair(question: unknown, answer: unknown, tags: unknown, lang: unknown): FaqPair | undefined {
  const q = typeof question === 'string' ? question.trim() : '';
  const a = typeof answer === 'string' ? answer.trim() : '';
  if (!q || !a) return undefined;
  return { question: q, answer: a, tags: asTags(tags), lang: asLanguage(lang) ?? detectLanguage(`${q} ${a}`) };
}

function majority(pairs: FaqPair[]): Language {
  const zh = pairs.filter((p) => p.lang === 'zh').length;
  return zh * 2 >= pairs.length ? 'zh' : 'en';
}

function document(raw: RawSource, pairs: FaqPair[]): LoadedDocument {
  if (pairs.length === 0) throw new LoadError('no question/answer pairs found');
  return {
    source: raw.source,
    kind: 'faq',
    title: path.basename(raw.name).replace(/\.[^.]+$/, ''),
    lang: majority(pairs),
    tags: [...new Set(pairs.flatMap((p) => p.tags))],
    updatedAt: raw.lastModified,
    sections: [],
    faq: pairs,
  };
}

/** CSV with a header row naming the question and answer columns (English or Chinese names); optional tags, lang. */
export function loadFaqCsv(raw: RawSource): LoadedDocument {
  const [header, ...rows] = parseCsv(raw.bytes.toString('utf8'));
  const names = (header ?? []).map((h) => h.trim().toLowerCase());
  const col = (aliases: string[]) => names.findIndex((n) => aliases.includes(n));
  const qi = col(QUESTION);
  const ai = col(ANSWER);
  if (qi < 0 || ai < 0) throw new LoadError('CSV needs "question" and "answer" columns in its header row');
  const ti = col(TAGS);
  const li = col(LANG);
  return document(raw, rows.map((r) => pair(r[qi], r[ai], ti >= 0 ? r[ti] : undefined, li >= 0 ? r[li] : undefined)).filter((p): p is FaqPair => !!p));
}

/** JSON: an array of {question, answer, tags?, lang?}, or an object holding one under "faq", "items" or "questions". */
export function loadFaqJson(raw: RawSource): LoadedDocument {
  let data: unknown;
  try {
    data = JSON.parse(raw.bytes.toString('utf8').replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new LoadError(`invalid JSON: ${(err as Error).message}`);
  }
  const record = typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : undefined;
  const list = Array.isArray(data) ? data : (record?.faq ?? record?.items ?? record?.questions);
  if (!Array.isArray(list)) throw new LoadError('JSON FAQ must be an array of {question, answer} objects');
  const pairs = list
    .map((item: unknown) => {
      if (typeof item !== 'object' || item === null) return undefined;
      const o = item as Record<string, unknown>;
      return pair(o.question ?? o.q, o.answer ?? o.a, o.tags, o.lang ?? o.language);
    })
    .filter((p): p is FaqPair => !!p);
  return document(raw, pairs);
}
