import { softmaxInPlace } from './softmax-regression.js';

/**
 * Turning holdout scores into the two numbers stored with the model: a softmax temperature (so "confidence"
 * reads as a probability of being right) and the out-of-scope threshold.
 */

/** Mean negative log-likelihood of the true labels under softmax(logits / T). */
function meanNll(logits: readonly Float64Array[], labels: readonly number[], temperature: number): number {
  let sum = 0;
  const probs = new Float64Array(logits[0]?.length ?? 0);
  logits.forEach((l, i) => {
    probs.set(l);
    softmaxInPlace(probs, temperature);
    sum -= Math.log(Math.max(probs[labels[i]!]!, 1e-12));
  });
  return sum / Math.max(1, logits.length);
}

/**
 * Temperature scaling (Guo et al. 2017) by golden-section search over log T. With too few holdout mistakes the
 * likelihood keeps rising as T → 0 (everything looks certain), so small or error-free holdouts keep T = 1.
 */
export function fitTemperature(logits: readonly Float64Array[], labels: readonly number[], predicted: readonly number[]): number {
  const errors = predicted.filter((p, i) => p !== labels[i]).length;
  if (logits.length < 50 || errors < 5) return 1;
  let lo = Math.log(0.1);
  let hi = Math.log(10);
  const ratio = (Math.sqrt(5) - 1) / 2;
  let a = hi - ratio * (hi - lo);
  let b = lo + ratio * (hi - lo);
  let fa = meanNll(logits, labels, Math.exp(a));
  let fb = meanNll(logits, labels, Math.exp(b));
  for (let i = 0; i < 40; i++) {
    if (fa < fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - ratio * (hi - lo);
      fa = meanNll(logits, labels, Math.exp(a));
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + ratio * (hi - lo);
      fb = meanNll(logits, labels, Math.exp(b));
    }
  }
  return Math.exp((lo + hi) / 2);
}

export interface HoldoutOutcome {
  /** Best in-scope class probability. */
  confidence: number;
  /** The example is labelled out of scope (empty category in the training CSV). */
  outOfScope: boolean;
  /** For an in-scope example: the best in-scope class is its label. */
  correct: boolean;
  /** The out-of-scope class (if trained) beat every in-scope class. */
  outOfScopeWon: boolean;
  /**
   * Confidence the model would have had if the example's own class did not exist: the best other class's
   * probability renormalised without the true class. Labelled data gives no real out-of-scope texts, but an
   * in-scope text with its class removed is exactly a text the model has no intent for — a hard, near-domain
   * out-of-scope example.
   */
  withoutOwnClass: number;
}

export const DEFAULT_SIMULATED_WEIGHT = 0.25;

export interface ThresholdChoice {
  threshold: number;
  /** Fraction of holdout in-scope examples that keep a (correct) intent at this threshold. */
  inScopeAccepted: number;
  /** Fraction of simulated out-of-scope texts rejected at this threshold. */
  outOfScopeRejected: number;
}

/**
 * Picks the threshold that maximises holdout utility: +1 for a correct intent kept, +1 for a wrong intent
 * rejected (a hand-off beats a wrong answer), +1 per real out-of-scope example rejected, and +`simulatedWeight`
 * per simulated out-of-scope text rejected. The simulated ones are down-weighted because they are harder than
 * typical off-topic messages and would otherwise push the threshold into rejecting good answers.
 */
export function chooseThreshold(outcomes: readonly HoldoutOutcome[], simulatedWeight = DEFAULT_SIMULATED_WEIGHT): ThresholdChoice {
  const candidates = [0, ...new Set(outcomes.flatMap((o) => [o.confidence, o.withoutOwnClass]))].sort((a, b) => a - b);
  let best = { threshold: 0, utility: -Infinity };
  for (let i = 0; i < candidates.length; i++) {
    // Midway between neighbouring scores, so the threshold does not sit exactly on one holdout example.
    const t = i + 1 < candidates.length ? (candidates[i]! + candidates[i + 1]!) / 2 : candidates[i]!;
    const utility = thresholdUtility(outcomes, t, simulatedWeight);
    if (utility > best.utility) best = { threshold: t, utility };
  }
  const inScope = outcomes.filter((o) => !o.outOfScope);
  const kept = inScope.filter((o) => o.correct && !o.outOfScopeWon && o.confidence >= best.threshold).length;
  const simulatedRejected = inScope.filter((o) => o.withoutOwnClass < best.threshold).length;
  return {
    threshold: best.threshold,
    inScopeAccepted: inScope.length ? kept / inScope.length : 0,
    outOfScopeRejected: inScope.length ? simulatedRejected / inScope.length : 0,
  };
}

function thresholdUtility(outcomes: readonly HoldoutOutcome[], t: number, simulatedWeight: number): number {
  let utility = 0;
  for (const o of outcomes) {
    const rejected = o.outOfScopeWon || o.confidence < t;
    if (o.outOfScope) {
      if (rejected) utility += 1;
      continue;
    }
    if (o.correct !== rejected) utility += 1;
    if (o.withoutOwnClass < t) utility += simulatedWeight;
  }
  return utility;
}
