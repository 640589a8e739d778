import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { AnswerResult, Language } from '../core/domain.js';
import { detectLanguage } from '../analysis/text/language.js';
import { tokenize } from '../analysis/text/tokenize.js';
import type { AnswerQuery, Answerer } from './answerer.js';
import { parseCsv } from './csv.js';

export interface FaqEntry {
  question: string;
  answer: string;
  source: string;
}

const HANDOFF: Record<Language, string> = {
  zh: '抱歉，这个问题我暂时无法准确回答。我可以为您转接人工客服，请回复“人工”。',
  en: "Sorry, I can't answer that reliably. I can connect you with a person — just reply \"agent\".",
};

/** Loads question/answer pairs from CSV (`question,answer`) and JSON (`[{question, answer}]`) files in a folder. */
export function loadFaqFolder(dir: string): FaqEntry[] {
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    return [];
  }
  return files.flatMap((file) => {
    const full = path.join(dir, file);
    const source = path.relative(process.cwd(), full);
    if (file.endsWith('.csv')) {
      const [header, ...rows] = parseCsv(readFileSync(full, 'utf8'));
      const qi = header?.indexOf('question') ?? -1;
      const ai = header?.indexOf('answer') ?? -1;
      return qi < 0 || ai < 0 ? [] : rows.filter((r) => r[qi] && r[ai]).map((r) => ({ question: r[qi] as string, answer: r[ai] as string, source }));
    }
    if (file.endsWith('.json')) {
      const items = JSON.parse(readFileSync(full, 'utf8')) as { question?: string; answer?: string }[];
      return items.filter((i) => i.question && i.answer).map((i) => ({ question: i.question as string, answer: i.answer as string, source }));
    }
    return [];
  });
}

/**
 * The foundation's plain FAQ match: token overlap between the customer's text and each known question. It answers
 * only with a stored answer, cites it, and hands off below a confidence floor rather than guess.
 */
export function createFaqAnswerer(entries: FaqEntry[], minConfidence = 0.34): Answerer {
  const indexed = entries.map((e) => ({ ...e, tokens: new Set(tokenize(e.question)), lang: detectLanguage(e.question) }));
  return {
    async answer(query: AnswerQuery): Promise<AnswerResult> {
      const language = query.language ?? detectLanguage(query.text);
      const q = new Set(tokenize(query.text));
      let best: (typeof indexed)[number] | undefined;
      let bestScore = 0;
      for (const e of indexed) {
        let overlap = 0;
        for (const t of q) if (e.tokens.has(t)) overlap += 1;
        const score = overlap === 0 ? 0 : (2 * overlap) / (q.size + e.tokens.size) + (e.lang === language ? 0.05 : 0);
        if (score > bestScore) [best, bestScore] = [e, score];
      }
      const confidence = Math.min(1, bestScore);
      if (!best || confidence < minConfidence) {
        return { text: HANDOFF[language], citations: [], confidence, handoffSuggested: true, intent: null, language };
      }
      return {
        text: `${best.answer} [1]`,
        citations: [{ index: 1, title: best.question, source: best.source }],
        confidence,
        handoffSuggested: false,
        intent: null,
        language,
      };
    },
  };
}
