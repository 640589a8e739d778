/** ln(n!) by summation: exact enough for the counts a week of messages produces. */
function lnFactorial(n: number): number {
  let s = 0;
  for (let i = 2; i <= n; i++) s += Math.log(i);
  return s;
}

/**
 * P(X ≥ k) for X ~ Poisson(λ), summed upwards from k in log space so that tiny tails stay accurate (1 − CDF would
 * round them to 0).
 */
export function poissonUpperTail(k: number, lambda: number): number {
  if (k <= 0) return 1;
  if (lambda <= 0) return 0;
  const logLambda = Math.log(lambda);
  let logTerm = -lambda + k * logLambda - lnFactorial(k);
  let sum = 0;
  for (let i = k; i < k + 100_000; i++) {
    const term = Math.exp(logTerm);
    sum += term;
    // Past the mode the terms shrink geometrically; stop once they no longer move the sum.
    if (i > lambda && term < sum * 1e-15) break;
    logTerm += logLambda - Math.log(i + 1);
  }
  return Math.min(1, sum);
}

/**
 * Benjamini–Hochberg adjusted p-values (q-values), in input order: controls the false discovery rate when many
 * topics are tested in the same week.
 */
export function benjaminiHochberg(pValues: number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p);
  const q = new Array<number>(m).fill(1);
  let running = 1;
  for (let rank = m; rank >= 1; rank--) {
    const { p, i } = order[rank - 1] as { p: number; i: number };
    running = Math.min(running, (p * m) / rank);
    q[i] = Math.min(1, running);
  }
  return q;
}
