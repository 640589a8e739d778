import type { SparseVector } from './features.js';
import { minimizeLbfgs, type LbfgsOptions } from './lbfgs.js';
import { sparseLinearObjective } from './sparse-objective.js';

/**
 * Multinomial logistic regression on sparse features: one weight row of `classes` values per feature
 * (feature-major, so scoring a sparse text walks contiguous memory), plus one bias per class.
 */
export interface LinearWeights {
  classes: number;
  dimension: number;
  /** dimension × classes, feature-major. */
  weights: Float32Array;
  bias: Float32Array;
}

export interface SoftmaxTrainingOptions {
  /** Inverse regularisation strength, as scikit-learn's C: loss = C·Σ cross-entropy + ½‖W‖². */
  c: number;
  /** Starting point [weights…, biases…] (warm start); zeros when absent. */
  initial?: Float64Array;
  lbfgs?: Partial<LbfgsOptions>;
}

export interface SoftmaxTrainingResult {
  model: LinearWeights;
  iterations: number;
  loss: number;
}

export function trainSoftmaxRegression(
  vectors: readonly SparseVector[],
  labels: ArrayLike<number>,
  classes: number,
  dimension: number,
  options: SoftmaxTrainingOptions,
): SoftmaxTrainingResult {
  const n = vectors.length;
  if (n === 0) throw new Error('no training examples');
  const k = classes;
  const wSize = dimension * k;
  const objective = sparseLinearObjective(vectors, dimension, k, options.c, (z, d) => {
    let max = -Infinity;
    for (let c = 0; c < k; c++) if (z[c]! > max) max = z[c]!;
    let sum = 0;
    for (let c = 0; c < k; c++) {
      const e = Math.exp(z[c]! - max);
      z[c] = e;
      sum += e;
    }
    const y = labels[d]!;
    const loss = -Math.log(z[y]! / sum);
    // z becomes the residual p − onehot(y), scaled by 1/n.
    for (let c = 0; c < k; c++) z[c] = z[c]! / sum / n;
    z[y]! -= 1 / n;
    return loss;
  });

  const result = minimizeLbfgs(objective, options.initial ?? new Float64Array(wSize + k), options.lbfgs);
  return {
    model: {
      classes: k,
      dimension,
      weights: Float32Array.from(result.x.subarray(0, wSize)),
      bias: Float32Array.from(result.x.subarray(wSize)),
    },
    iterations: result.iterations,
    loss: result.value,
  };
}

/** Class scores (logits) of one text; `out` is reused by callers that score many texts. */
export function scoreLinear(model: LinearWeights, x: SparseVector, out = new Float64Array(model.classes)): Float64Array {
  const k = model.classes;
  for (let c = 0; c < k; c++) out[c] = model.bias[c]!;
  const { indices, values } = x;
  for (let p = 0; p < indices.length; p++) {
    const row = indices[p]! * k;
    const v = values[p]!;
    for (let c = 0; c < k; c++) out[c]! += v * model.weights[row + c]!;
  }
  return out;
}

/** Softmax with a temperature (from calibration) in place; returns the same array. */
export function softmaxInPlace(scores: Float64Array, temperature = 1): Float64Array {
  let max = -Infinity;
  for (const s of scores) if (s > max) max = s;
  let sum = 0;
  for (let c = 0; c < scores.length; c++) {
    const e = Math.exp((scores[c]! - max) / temperature);
    scores[c] = e;
    sum += e;
  }
  for (let c = 0; c < scores.length; c++) scores[c]! /= sum;
  return scores;
}
