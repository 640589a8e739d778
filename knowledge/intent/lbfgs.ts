/**
 * Limited-memory BFGS for smooth convex objectives (here: L2-regularised multinomial logistic regression).
 * Full-batch and deterministic, so the same data always trains the same model.
 */

/** Writes the gradient at x into grad and returns the objective value. */
export type Objective = (x: Float64Array, grad: Float64Array) => number;

export interface LbfgsOptions {
  maxIterations: number;
  /** Number of correction pairs kept (memory = 2 × history × parameters). */
  history: number;
  /**
   * Stop when the objective improved by less than this fraction of its value per iteration, averaged over the
   * last 5 iterations (one short line-search step alone does not stop it). On banking77 holdout accuracy stops
   * moving once the per-iteration gain is below ~1e-3; 2e-4 leaves a margin.
   */
  relativeTolerance: number;
  /** Stop when the largest gradient component falls below this. */
  gradientTolerance: number;
  /** Called after each iteration (progress reports); the array is only valid during the call. */
  onIteration?: (iteration: number, value: number, x: Float64Array) => void;
}

export const DEFAULT_LBFGS_OPTIONS: LbfgsOptions = {
  maxIterations: 300,
  history: 8,
  relativeTolerance: 2e-4,
  gradientTolerance: 1e-6,
};

export interface LbfgsResult {
  x: Float64Array;
  value: number;
  iterations: number;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]!);
    if (v > m) m = v;
  }
  return m;
}

export function minimizeLbfgs(objective: Objective, x0: Float64Array, options: Partial<LbfgsOptions> = {}): LbfgsResult {
  const opts = { ...DEFAULT_LBFGS_OPTIONS, ...options };
  const n = x0.length;
  let x = Float64Array.from(x0);
  let grad = new Float64Array(n);
  let value = objective(x, grad);
  const sHist: Float64Array[] = [];
  const yHist: Float64Array[] = [];
  const rhoHist: number[] = [];
  const direction = new Float64Array(n);
  const alpha = new Float64Array(opts.history);
  let xNew = new Float64Array(n);
  let gradNew = new Float64Array(n);
  let iterations = 0;
  const recent: number[] = [value];

  for (; iterations < opts.maxIterations; iterations++) {
    if (maxAbs(grad) < opts.gradientTolerance) break;

    // Two-loop recursion: direction = −H·grad.
    for (let i = 0; i < n; i++) direction[i] = -grad[i]!;
    for (let h = sHist.length - 1; h >= 0; h--) {
      const a = rhoHist[h]! * dot(sHist[h]!, direction);
      alpha[h] = a;
      const y = yHist[h]!;
      for (let i = 0; i < n; i++) direction[i]! -= a * y[i]!;
    }
    if (sHist.length > 0) {
      const last = sHist.length - 1;
      const gamma = dot(sHist[last]!, yHist[last]!) / dot(yHist[last]!, yHist[last]!);
      for (let i = 0; i < n; i++) direction[i]! *= gamma;
    }
    for (let h = 0; h < sHist.length; h++) {
      const b = rhoHist[h]! * dot(yHist[h]!, direction);
      const s = sHist[h]!;
      const a = alpha[h]!;
      for (let i = 0; i < n; i++) direction[i]! += (a - b) * s[i]!;
    }

    let slope = dot(grad, direction);
    if (slope >= 0) {
      // Not a descent direction (curvature information went stale): restart from steepest descent.
      sHist.length = yHist.length = rhoHist.length = 0;
      for (let i = 0; i < n; i++) direction[i] = -grad[i]!;
      slope = dot(grad, direction);
    }

    // Backtracking line search with the Armijo condition; the first step is scaled to a unit move.
    let step = sHist.length === 0 ? Math.min(1, 1 / Math.sqrt(-slope)) : 1;
    let valueNew = Infinity;
    for (let tries = 0; tries < 30; tries++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i]! + step * direction[i]!;
      valueNew = objective(xNew, gradNew);
      if (valueNew <= value + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(valueNew < value)) break;

    const s = sHist.length === opts.history ? sHist.shift()! : new Float64Array(n);
    const y = yHist.length === opts.history ? yHist.shift()! : new Float64Array(n);
    if (rhoHist.length === opts.history) rhoHist.shift();
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i]! - x[i]!;
      y[i] = gradNew[i]! - grad[i]!;
    }
    const sy = dot(s, y);
    if (sy > 1e-12) {
      sHist.push(s);
      yHist.push(y);
      rhoHist.push(1 / sy);
    }

    [x, xNew] = [xNew, x];
    [grad, gradNew] = [gradNew, grad];
    value = valueNew;
    opts.onIteration?.(iterations + 1, value, x);
    recent.push(value);
    const window = 5;
    if (recent.length > window) recent.shift();
    const improvement = recent.length === window ? (recent[0]! - value) / Math.max(Math.abs(value), 1e-12) / (window - 1) : Infinity;
    if (improvement < opts.relativeTolerance) {
      iterations++;
      break;
    }
  }
  return { x, value, iterations };
}
