import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { RunnableLambda, RunnableSequence } from '@langchain/core/runnables';
import { detectLanguage } from '../../analysis/text/language.js';
import { configSchema } from '../../core/config.js';
import type { AnswerResult, Citation, Language } from '../../core/domain.js';
import type { KnowledgeLogger } from '../log.js';
import type { AnswerQuery, Answerer } from '../answerer.js';
import type { HybridRetriever, RetrievedChunk } from '../store/hybrid-retriever.js';
import { isTraditional, toTraditional } from '../text/chinese.js';
import type { Expansion } from '../text/synonyms.js';
import { citationFor, extractiveAnswer } from './extractive.js';
import { generateAnswer } from './llm.js';
import { HANDOFF_MESSAGE } from './messages.js';

/**
 * Hand-off threshold on the chain's confidence (`topConfidence`): the default of KNOWLEDGE_MIN_CONFIDENCE
 * (core/config.ts), chosen with `npm run bench:retrieval` on the demo knowledge base's dev questions: the expected
 * cost, a wrong answer counting two hand-offs, is flat from 0.65 to 0.80, and 0.65 hands off least on that plateau
 * (see docs/BENCHMARKS.md, "retrieval").
 */
export const DEFAULT_MIN_CONFIDENCE: number = configSchema.shape.KNOWLEDGE_MIN_CONFIDENCE.parse(undefined);
/** Passages handed to the model or the extractive composer. */
const MAX_PASSAGES = 4;
/** A passage much weaker than the threshold only adds noise. */
const PASSAGE_FLOOR_SHARE = 0.6;
/** Total time for model attempts: the answer activity has 60 s, and the fallback must fit in it too. */
const DEFAULT_LLM_BUDGET_MS = 40_000;

/**
 * How a confident routed intent (the router passes one only above the intent model's threshold) counts as evidence.
 * An article answers an intent when its front matter tags it `intent:<name>` (knowledge/demo; ops add the tag to
 * their own articles). `rank` is added to such articles' document evidence when ordering (a preference, never a
 * filter); `confidence` is the share of the remaining doubt (1 − confidence) the intent removes when the top passage
 * is from such an article — two independent signals agreeing. Both chosen on the dev split of bench/retrieval.ts so
 * that the wrong-answer rate does not rise (docs/BENCHMARKS.md, "retrieval").
 */
export interface IntentEvidence {
  rank: number;
  confidence: number;
}
export const DEFAULT_INTENT_EVIDENCE: IntentEvidence = { rank: 0.1, confidence: 0.2 };
/** The tag that says an article answers `intent`. */
export const intentTag = (intent: string): string => `intent:${intent.toLowerCase()}`;

export interface RagAnswererOptions {
  retriever: HybridRetriever;
  /** Chat model; without one, answers are extractive. */
  llm?: BaseChatModel;
  minConfidence?: number;
  llmTimeoutMs?: number;
  llmRetries?: number;
  /** First backoff delay; doubles per retry. */
  retryBaseDelayMs?: number;
  llmBudgetMs?: number;
  /** Optional intent label for the result (the intent model lives in knowledge/intent/). */
  classifyIntent?: (text: string, language: Language) => Promise<string | null>;
  /** Weight of an intent match; DEFAULT_INTENT_EVIDENCE unless a benchmark sweeps it. */
  intentEvidence?: IntentEvidence;
  logger?: KnowledgeLogger;
}

interface Prepared {
  query: AnswerQuery;
  question: string;
  language: Language;
  traditional: boolean;
}

interface Retrieved extends Prepared {
  passages: RetrievedChunk[];
  termWeights: Map<string, number>;
  /** Synonyms the retriever expanded the question with. */
  expansions: Expansion[];
  confidence: number;
  /** Passages are in the customer's language (else only a model can use them). */
  sameLanguage: boolean;
  intent: string | null;
}

export interface RagAnswerer extends Answerer {
  /** The chain itself, for composition and tracing: AnswerQuery → AnswerResult. */
  chain: RunnableSequence<AnswerQuery, AnswerResult>;
}

/**
 * Confidence that the passages answer the question: the evidence for the top-ranked document — its best passage's
 * relevance plus corroboration from its other passages (fusion.ts, `rankByDocument`) — which is the document the
 * extractive answer quotes. It separates questions whose first document is the right one from wrong-document and
 * unanswerable questions better than the best single passage's relevance did (bench/retrieval.ts, dev split).
 */
function topConfidence(passages: RetrievedChunk[]): number {
  const top = passages[0];
  return top ? Math.max(top.scores.document, top.scores.relevance) : 0;
}

/** `topConfidence`, raised when the top passage's article is tagged with the routed intent (see IntentEvidence). */
function confidenceWithIntent(passages: RetrievedChunk[], tag: string | undefined, evidence: IntentEvidence): number {
  const base = topConfidence(passages);
  const top = passages[0];
  return top && tag && top.metadata.tags.includes(tag) ? base + evidence.confidence * (1 - base) : base;
}

/**
 * The answer chain: prepare (language, script) → retrieve (hybrid, in the customer's language) → respond.
 * Respond hands off when no passage is good enough; otherwise it asks the model to answer from the passages with
 * numbered citations and, when there is no model or every attempt fails, composes an extractive answer. The customer
 * always gets a reply, and never one that is not grounded in the knowledge base.
 */
export function createRagAnswerer(options: RagAnswererOptions): RagAnswerer {
  const minConfidence = options.minConfidence ?? DEFAULT_MIN_CONFIDENCE;
  const evidence = options.intentEvidence ?? DEFAULT_INTENT_EVIDENCE;
  const logger = options.logger;

  const prepare = RunnableLambda.from((query: AnswerQuery): Prepared => {
    const question = query.text.trim();
    const language = detectLanguage(question, query.language ?? 'en');
    return { query, question, language, traditional: language === 'zh' && isTraditional(question) };
  }).withConfig({ runName: 'prepare' });

  const retrieve = RunnableLambda.from(async (p: Prepared): Promise<Retrieved> => {
    // Intent routing has classified the message already when it passes the intent along.
    const intentPromise = p.query.intent !== undefined
      ? Promise.resolve(p.query.intent)
      : options.classifyIntent
        ? options.classifyIntent(p.question, p.language).catch((err: unknown) => {
            logger?.warn({ err }, 'intent classification failed');
            return null;
          })
        : Promise.resolve(null);
    // Intent routing runs first in the platform, so the intent is usually known here already and the wait is free.
    const intent = await intentPromise;
    const tag = intent ? intentTag(intent) : undefined;
    const prefer = tag ? { tags: [tag], weight: evidence.rank } : undefined;
    const found = p.question
      ? await options.retriever.retrieve(p.question, { filter: { lang: p.language }, prefer })
      : { chunks: [], termWeights: new Map<string, number>(), expansions: [] };
    let passages = found.chunks;
    let sameLanguage = true;
    const confidenceOf = (chunks: RetrievedChunk[]) => confidenceWithIntent(chunks, tag, evidence);
    // Only a model can answer from passages in the other language (it replies in the customer's language).
    if (options.llm && p.question && confidenceOf(passages) < minConfidence) {
      const any = await options.retriever.search(p.question, { prefer });
      if (confidenceOf(any) > confidenceOf(passages)) {
        passages = any;
        sameLanguage = any.every((c) => c.metadata.lang === p.language);
      }
    }
    const confidence = confidenceOf(passages);
    // A passage far below the threshold only adds noise — unless it is as relevant as the first passage, which is
    // kept anyway: an article whose every section matches equally (its title holds the question's words) must not
    // be cut down to whichever section fusion happened to put first.
    const floor = Math.min(minConfidence * PASSAGE_FLOOR_SHARE, passages[0]?.scores.relevance ?? 0);
    const useful = passages.filter((c, i) => i === 0 || c.scores.relevance >= floor).slice(0, MAX_PASSAGES);
    return { ...p, passages: useful, termWeights: found.termWeights, expansions: found.expansions, confidence, sameLanguage, intent };
  }).withConfig({ runName: 'retrieve' });

  const finish = (r: Retrieved, text: string, citations: Citation[], handoff: boolean): AnswerResult => ({
    text: r.traditional ? toTraditional(text) : text,
    citations: r.traditional ? citations.map((c) => ({ ...c, title: toTraditional(c.title), ...(c.snippet ? { snippet: toTraditional(c.snippet) } : {}) })) : citations,
    confidence: Math.round(r.confidence * 1000) / 1000,
    handoffSuggested: handoff,
    intent: r.intent,
    language: r.language,
  });
  const handOff = (r: Retrieved) => finish(r, HANDOFF_MESSAGE[r.language], [], true);
  const extractive = (r: Retrieved): AnswerResult => {
    const answer = r.sameLanguage ? extractiveAnswer(r.question, r.passages, r.language, r.termWeights, r.expansions) : undefined;
    return answer ? finish(r, answer.text, answer.citations, false) : handOff(r);
  };

  const respond = RunnableLambda.from(async (r: Retrieved): Promise<AnswerResult> => {
    if (r.passages.length === 0 || r.confidence < minConfidence) return handOff(r);
    if (!options.llm) return extractive(r);
    const budget = options.llmBudgetMs ?? DEFAULT_LLM_BUDGET_MS;
    try {
      const reply = await generateAnswer(
        options.llm,
        { question: r.question, language: r.language, traditional: r.traditional, passages: r.passages, history: r.query.history },
        {
          timeoutMs: options.llmTimeoutMs ?? 20_000,
          retry: { retries: options.llmRetries ?? 2, baseDelayMs: options.retryBaseDelayMs ?? 500, maxDelayMs: 4_000, deadline: Date.now() + budget },
          onAttemptFailed: (attempt, err) => logger?.warn({ attempt: attempt + 1, err: err instanceof Error ? err.message : String(err) }, 'answer model call failed'),
        },
      );
      switch (reply.kind) {
        case 'answer': {
          // Renumber the cited passages 1..n in order, so citation numbers match the list the customer sees.
          const renumber = new Map(reply.cited.map((n, i) => [n, i + 1]));
          const text = reply.text.replace(/\[(\d{1,2})\]/g, (_m, n: string) => `[${renumber.get(Number(n))}]`);
          const citations = reply.cited.map((n, i) => citationFor(r.passages[n - 1] as RetrievedChunk, i + 1));
          return finish(r, text, citations, false);
        }
        case 'no-answer':
          return handOff(r);
        case 'unsafe':
          logger?.warn({ reason: reply.reason }, 'model reply rejected, answering extractively');
          return extractive(r);
        default: {
          const unknown: never = reply;
          throw new Error(`unknown reply ${JSON.stringify(unknown)}`);
        }
      }
    } catch (err) {
      logger?.warn({ err: err instanceof Error ? err.message : String(err) }, 'answer model unavailable, answering extractively');
      return extractive(r);
    }
  }).withConfig({ runName: 'respond' });

  const chain = RunnableSequence.from<AnswerQuery, AnswerResult>([prepare, retrieve, respond], { name: 'kefu-rag-answer' });
  return {
    chain,
    answer: (query) => chain.invoke(query),
  };
}
