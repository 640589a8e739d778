/**
 * Trains the learned risk model: vocabulary and idf from the training texts, then one L2-regularised logistic
 * regression per category, all minimised together with the deterministic full-batch L-BFGS of the intent model
 * (the categories do not share parameters, so one joint minimisation equals seven separate ones). Same data, same
 * model file, byte for byte.
 */
import { minimizeLbfgs } from '../../../knowledge/intent/lbfgs.js';
import { sparseLinearObjective } from '../../../knowledge/intent/sparse-objective.js';
import { extractTerms } from './features.js';
import { TermIndex, vectorise, type SparseVector } from './model.js';

export interface TrainingExample {
  /** Text after the rules' normalisation (normaliseText with the rule file's replacements and rewrites). */
  normalisedText: string;
  categories: readonly string[];
}

export interface TrainingOptions {
  /** Inverse regularisation strength, as scikit-learn's C: loss = C·Σ log-loss + ½‖W‖². */
  c: number;
  /** A term must occur in at least this many training messages to become a feature. */
  minDf: number;
  maxIterations: number;
}

export const DEFAULT_TRAINING_OPTIONS: TrainingOptions = { c: 8, minDf: 2, maxIterations: 400 };

export interface TrainedWeights {
  categories: string[];
  terms: string[];
  idf: Float32Array;
  weights: Float32Array;
  bias: Float32Array;
  iterations: number;
}

/** Vocabulary (sorted, so the feature order never depends on the data order) and smoothed idf. */
export function fitVocabulary(counts: readonly Map<string, number>[], minDf: number): { terms: string[]; idf: Float32Array } {
  const df = new Map<string, number>();
  for (const doc of counts) for (const term of doc.keys()) df.set(term, (df.get(term) ?? 0) + 1);
  const terms = [...df.entries()].filter(([, n]) => n >= minDf).map(([t]) => t).sort();
  const n = counts.length;
  // Smoothed idf as in scikit-learn: ln((1 + n) / (1 + df)) + 1.
  const idf = Float32Array.from(terms, (t) => Math.log((1 + n) / (1 + (df.get(t) ?? 0))) + 1);
  return { terms, idf };
}

export function trainRiskWeights(examples: readonly TrainingExample[], categories: readonly string[], options: TrainingOptions = DEFAULT_TRAINING_OPTIONS): TrainedWeights {
  if (examples.length === 0) throw new Error('no training examples');
  const counts = examples.map((e) => extractTerms(e.normalisedText));
  const { terms, idf } = fitVocabulary(counts, options.minDf);
  const index = new TermIndex(terms);
  const vectors = counts.map((c) => vectorise(c, index, idf));
  const labels = examples.map((e) => Uint8Array.from(categories, (c) => (e.categories.includes(c) ? 1 : 0)));
  const k = categories.length;
  const { x, iterations } = minimiseLogLoss(vectors, labels, terms.length, k, options);
  return {
    categories: [...categories],
    terms,
    idf,
    weights: Float32Array.from(x.subarray(0, terms.length * k)),
    bias: Float32Array.from(x.subarray(terms.length * k)),
    iterations,
  };
}

function minimiseLogLoss(vectors: readonly SparseVector[], labels: readonly Uint8Array[], dimension: number, k: number, options: TrainingOptions) {
  const n = vectors.length;
  // log(1 + e^s) without overflow; the loss of label 1 is softplus(−s), of label 0 softplus(s).
  const softplus = (t: number) => (t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t)));
  const objective = sparseLinearObjective(vectors, dimension, k, options.c, (z, d) => {
    const y = labels[d]!;
    let loss = 0;
    for (let c = 0; c < k; c++) {
      const s = z[c]!;
      loss += y[c] ? softplus(-s) : softplus(s);
      z[c] = (1 / (1 + Math.exp(-s)) - y[c]!) / n;
    }
    return loss;
  });
  return minimizeLbfgs(objective, new Float64Array(dimension * k + k), { maxIterations: options.maxIterations, relativeTolerance: 1e-5 });
}
