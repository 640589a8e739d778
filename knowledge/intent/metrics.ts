/** Evaluation figures shared by training (holdout report) and the benchmark. */

export function accuracy(truth: readonly (string | null)[], predicted: readonly (string | null)[]): number {
  if (truth.length === 0) return 0;
  let correct = 0;
  truth.forEach((t, i) => {
    if (t === predicted[i]) correct++;
  });
  return correct / truth.length;
}

/** Unweighted mean of per-class F1 over the classes present in the truth (null predictions count as misses). */
export function macroF1(truth: readonly string[], predicted: readonly (string | null)[]): number {
  const classes = [...new Set(truth)];
  if (classes.length === 0) return 0;
  let sum = 0;
  for (const c of classes) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    truth.forEach((t, i) => {
      const p = predicted[i];
      if (t === c && p === c) tp++;
      else if (t === c) fn++;
      else if (p === c) fp++;
    });
    sum += tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  }
  return sum / classes.length;
}

/** Nearest-rank percentile (p in 0..100) of unsorted values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}
