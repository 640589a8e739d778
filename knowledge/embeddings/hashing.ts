import { Embeddings, type EmbeddingsParams } from '@langchain/core/embeddings';
import { toSimplified } from '../text/chinese.js';
import { keywordTokens } from '../text/keywords.js';
import { stripQuestionWords } from '../text/question-words.js';

/**
 * The local default: signed feature hashing, no model file, no network, deterministic. Features are the keyword
 * tokens (jieba words / stemmed English words) plus character n-grams — bigrams inside Chinese runs, trigrams inside
 * English words — so a paraphrase sharing only part of a word (充电/充电器, refund/refunded) still lands nearby.
 * Question words (多久, how long…) are removed first, as for the keyword index (text/question-words.ts).
 * Term weights are sublinear (1 + ln tf) and the vector is L2-normalised, so cosine similarity is a dot product.
 *
 * Measured and left out (bench/retrieval.ts, dev questions; docs/BENCHMARKS.md): IDF weights fitted on the corpus
 * (document side they lowered zh vector-only R@1 from 0.43 to 0.29; query side only, with features unseen in the
 * corpus zeroed, they were neutral), Chinese character unigrams and 1,024 or 2,000 dimensions (better vector-only
 * recall, no change in hybrid ranking once fused with BM25). The vectors are lexical either way.
 */
export const HASHING_DIMENSIONS = 512;
const WORD_WEIGHT = 1;
const CJK_BIGRAM_WEIGHT = 0.5;
const LATIN_TRIGRAM_WEIGHT = 0.35;

function fnv1a(text: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619) >>> 0;
  }
  return h;
}

/** Character n-gram features of normalised text: bigrams inside Chinese runs, trigrams inside English words. */
function addCharFeatures(normalised: string, add: (feature: string, weight: number) => void): void {
  for (const run of normalised.match(/[\u3400-\u9fff]+/g) ?? []) {
    for (let i = 0; i + 1 < run.length; i++) add(`b:${run.slice(i, i + 2)}`, CJK_BIGRAM_WEIGHT);
  }
  for (const word of normalised.match(/[a-z0-9]+/g) ?? []) {
    const padded = `#${word}#`;
    for (let i = 0; i + 2 < padded.length; i++) add(`t:${padded.slice(i, i + 3)}`, LATIN_TRIGRAM_WEIGHT);
  }
}

function features(text: string): Map<string, number> {
  const weights = new Map<string, number>();
  const add = (feature: string, weight: number) => weights.set(feature, (weights.get(feature) ?? 0) + weight);
  // Weights accumulate term frequency first; the log is applied once all occurrences are counted.
  for (const token of keywordTokens(text)) add(`w:${token}`, WORD_WEIGHT);
  addCharFeatures(stripQuestionWords(toSimplified(text.normalize('NFKC')).toLowerCase()), add);
  return weights;
}

/** A search token's own features (it is already normalised and stemmed): the word and its character n-grams. */
function tokenFeatures(token: string): Map<string, number> {
  const weights = new Map<string, number>([[`w:${token}`, WORD_WEIGHT]]);
  addCharFeatures(token, (feature, weight) => weights.set(feature, (weights.get(feature) ?? 0) + weight));
  return weights;
}

const unitOf = (feature: string) => (feature.startsWith('w:') ? WORD_WEIGHT : feature.startsWith('b:') ? CJK_BIGRAM_WEIGHT : LATIN_TRIGRAM_WEIGHT);
/** Sublinear term weight of a feature from its accumulated weight. */
const featureValue = (feature: string, total: number) => unitOf(feature) * (1 + Math.log(total / unitOf(feature)));

/**
 * The vector of `text`; `expansions` (query-side synonyms, text/synonyms.ts) add each token's features scaled by its
 * weight, so the query also points towards passages using the synonym. Documents are embedded without expansions:
 * the stored vectors do not depend on the synonyms file.
 */
export function hashingVector(text: string, dimensions = HASHING_DIMENSIONS, expansions: readonly { term: string; weight: number }[] = []): number[] {
  const values = new Map<string, number>();
  for (const [feature, total] of features(text)) values.set(feature, featureValue(feature, total));
  for (const e of expansions) {
    for (const [feature, total] of tokenFeatures(e.term)) values.set(feature, (values.get(feature) ?? 0) + e.weight * featureValue(feature, total));
  }
  const vector = new Float64Array(dimensions);
  for (const [feature, value] of values) {
    const h = fnv1a(feature, 2166136261);
    const sign = (fnv1a(feature, 0x9747b28c) & 1) === 0 ? 1 : -1;
    vector[h % dimensions] = (vector[h % dimensions] ?? 0) + sign * value;
  }
  let norm = 0;
  for (const v of vector) norm += v * v;
  norm = Math.sqrt(norm) || 1;
  return Array.from(vector, (v) => v / norm);
}

export class HashingEmbeddings extends Embeddings {
  readonly dimensions: number;

  constructor(fields: EmbeddingsParams & { dimensions?: number } = {}) {
    super(fields);
    this.dimensions = fields.dimensions ?? HASHING_DIMENSIONS;
  }

  async embedDocuments(documents: string[]): Promise<number[][]> {
    return documents.map((d) => hashingVector(d, this.dimensions));
  }

  async embedQuery(document: string): Promise<number[]> {
    return hashingVector(document, this.dimensions);
  }

  /** `embedQuery` with synonym expansions at their weights (see `hashingVector`). */
  async embedExpandedQuery(document: string, expansions: readonly { term: string; weight: number }[]): Promise<number[]> {
    return hashingVector(document, this.dimensions, expansions);
  }
}
