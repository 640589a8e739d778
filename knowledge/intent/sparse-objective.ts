import type { SparseVector } from './features.js';

/**
 * The L2-regularised objective of a linear model over sparse rows, for L-BFGS: k scores per row (feature-major
 * weights, then k biases), a per-row loss, and the gradient scattered back into the weights. The intent model
 * (softmax) and the risk model (one sigmoid per category) differ only in `rowLoss`.
 *
 * `rowLoss(z, d)` receives row d's k scores in `z`, returns the row's loss, and overwrites `z` with the gradient of
 * that loss divided by the number of rows (the objective is the mean loss, so its scale does not depend on the data
 * size and the optimiser's tolerances stay meaningful). `c` is scikit-learn's inverse regularisation strength.
 */
export function sparseLinearObjective(
  vectors: readonly SparseVector[],
  dimension: number,
  k: number,
  c: number,
  rowLoss: (z: Float64Array, d: number) => number,
): (x: Float64Array, grad: Float64Array) => number {
  const n = vectors.length;
  const wSize = dimension * k;
  const l2 = 1 / (c * n);
  const z = new Float64Array(k);
  return (x, grad) => {
    grad.fill(0);
    let loss = 0;
    for (let d = 0; d < n; d++) {
      const { indices, values } = vectors[d]!;
      for (let j = 0; j < k; j++) z[j] = x[wSize + j]!;
      for (let p = 0; p < indices.length; p++) {
        const row = indices[p]! * k;
        const v = values[p]!;
        for (let j = 0; j < k; j++) z[j]! += v * x[row + j]!;
      }
      loss += rowLoss(z, d);
      for (let j = 0; j < k; j++) grad[wSize + j]! += z[j]!;
      for (let p = 0; p < indices.length; p++) {
        const row = indices[p]! * k;
        const v = values[p]!;
        for (let j = 0; j < k; j++) grad[row + j]! += v * z[j]!;
      }
    }
    let penalty = 0;
    for (let i = 0; i < wSize; i++) {
      const w = x[i]!;
      penalty += w * w;
      grad[i]! += l2 * w;
    }
    return loss / n + 0.5 * l2 * penalty;
  };
}
