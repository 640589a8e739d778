/**
 * The learned half of the risk detector: one logistic regression per category (one-vs-rest, so a message can be
 * several categories at once) over the n-gram features of features.ts, TF-IDF weighted. Scoring is a sparse dot
 * product per category, a few microseconds per message. Each probability comes with the n-grams that pushed it up
 * most, which is what the evidence quotes.
 */
import type { SparseVector } from '../../../knowledge/intent/features.js';
import { extractTerms } from './features.js';

export type { SparseVector };

export interface RiskModel {
  categories: string[];
  /** Per category: the probability at which a learned hit counts, chosen by cross-validation on dev. */
  thresholds: Record<string, number>;
  terms: string[];
  idf: Float32Array;
  /** terms × categories, term-major. */
  weights: Float32Array;
  bias: Float32Array;
  /**
   * The veto the thresholds were tuned with: a rule's category is dropped when the model gives it less than this.
   * Absent in files written before it was stored; the detector then uses DEFAULT_RULE_VETO.
   */
  ruleVeto?: number;
  /** Where it came from, for the evidence and `kefu risk classify --signals`. */
  info: RiskModelInfo;
}

export interface RiskModelInfo {
  /** What it was trained on, e.g. "test/fixtures/risk/labelled.jsonl split dev (1668 messages)". */
  trainedOn: string;
  /** SHA-256 of the training examples (text + labels), so a model can be matched to its data. */
  dataSha256: string;
  c: number;
  /** Cross-validation figures written by the trainer (micro P/R/F1 and FPR of rules alone and rules + model). */
  crossValidation?: unknown;
}

/** Index of each term, built once per loaded model. */
export class TermIndex {
  private readonly index: Map<string, number>;
  constructor(terms: readonly string[]) {
    this.index = new Map(terms.map((t, i) => [t, i]));
  }
  get(term: string): number | undefined {
    return this.index.get(term);
  }
}

/** Sublinear tf (1 + ln count) × idf, L2-normalised; terms outside the vocabulary are dropped. */
export function vectorise(counts: Map<string, number>, index: TermIndex, idf: Float32Array): SparseVector {
  const entries: [number, number][] = [];
  let norm = 0;
  for (const [term, count] of counts) {
    const i = index.get(term);
    if (i === undefined) continue;
    const v = (1 + Math.log(count)) * idf[i]!;
    entries.push([i, v]);
    norm += v * v;
  }
  entries.sort((a, b) => a[0] - b[0]);
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  return { indices: Int32Array.from(entries, (e) => e[0]), values: Float32Array.from(entries, (e) => e[1] * scale) };
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

export interface CategoryScore {
  category: string;
  probability: number;
  /** Strongest positive contributions (weight × feature value), largest first. */
  top: { term: string; contribution: number }[];
}

/** A loaded model, ready to score normalised text. */
export class RiskModelScorer {
  private readonly index: TermIndex;

  constructor(readonly model: RiskModel) {
    this.index = new TermIndex(model.terms);
  }

  vector(normalisedText: string): SparseVector {
    return vectorise(extractTerms(normalisedText), this.index, this.model.idf);
  }

  /** Probability of every category. */
  probabilities(x: SparseVector): Float64Array {
    const k = this.model.categories.length;
    const z = Float64Array.from(this.model.bias);
    for (let p = 0; p < x.indices.length; p++) {
      const row = x.indices[p]! * k;
      const v = x.values[p]!;
      for (let c = 0; c < k; c++) z[c]! += v * this.model.weights[row + c]!;
    }
    for (let c = 0; c < k; c++) z[c] = sigmoid(z[c]!);
    return z;
  }

  /** The `limit` features that raised category `c`'s score most in this message. */
  topContributions(x: SparseVector, c: number, limit: number): { term: string; contribution: number }[] {
    const k = this.model.categories.length;
    const out: { term: string; contribution: number }[] = [];
    for (let p = 0; p < x.indices.length; p++) {
      const i = x.indices[p]!;
      const contribution = x.values[p]! * this.model.weights[i * k + c]!;
      if (contribution > 0) out.push({ term: this.model.terms[i]!, contribution });
    }
    // Ties broken by term so the evidence is the same on every run.
    out.sort((a, b) => b.contribution - a.contribution || (a.term < b.term ? -1 : a.term > b.term ? 1 : 0));
    return out.slice(0, limit);
  }
}
