import type { LabelledExample } from './csv.js';
import { DEFAULT_FEATURE_CONFIG, FeatureSpace, type FeatureConfig } from './features.js';
import { chooseThreshold, fitTemperature, type HoldoutOutcome } from './calibration.js';
import { IntentModel } from './model.js';
import { OUT_OF_SCOPE_CLASS } from './model-file.js';
import { scoreLinear, softmaxInPlace, trainSoftmaxRegression, type LinearWeights } from './softmax-regression.js';
import { stratifiedSplit } from './split.js';

export interface TrainOptions {
  /** Inverse L2 strength (scikit-learn's C). 20 was best on a banking77 train-only holdout. */
  c?: number;
  /** Share of each intent's examples held out to measure accuracy and tune the threshold. */
  holdoutFraction?: number;
  seed?: number;
  /** Fixed out-of-scope threshold instead of the one tuned on the holdout. */
  threshold?: number;
  features?: Partial<FeatureConfig>;
  maxIterations?: number;
  /** Progress lines for humans (stderr in the CLI). */
  onProgress?: (message: string) => void;
}

export interface TrainSummary {
  classes: string[];
  examples: number;
  outOfScopeExamples: number;
  holdoutExamples: number;
  /** Top-1 accuracy of the in-scope holdout examples (null when there was too little data to hold any out). */
  holdoutAccuracy: number | null;
  threshold: number;
  thresholdSource: 'holdout' | 'option' | 'default';
  /** At the chosen threshold: share of holdout in-scope texts answered correctly, share of simulated off-topic texts rejected. */
  holdoutInScopeAccepted: number | null;
  holdoutOutOfScopeRejected: number | null;
  temperature: number;
  features: number;
  iterations: number;
  seconds: number;
}

export const DEFAULT_C = 20;
/** Used when there is no holdout to tune on: a text must be at least this likely to get an intent. */
export const FALLBACK_THRESHOLD = 0.3;

interface Fitted {
  space: FeatureSpace;
  linear: LinearWeights;
  iterations: number;
}

function fit(
  texts: string[],
  labels: number[],
  classCount: number,
  config: FeatureConfig,
  c: number,
  maxIterations: number,
  warmStart?: Fitted,
  progress?: (message: string) => void,
): Fitted {
  const { space, vectors } = FeatureSpace.fit(texts, config);
  const initial = warmStart ? transferWeights(warmStart, space, classCount) : undefined;
  const result = trainSoftmaxRegression(vectors, labels, classCount, space.dimension, {
    c,
    initial,
    lbfgs: { maxIterations, onIteration: (i, loss) => {
      if (i % 10 === 0) progress?.(`  iteration ${i}, loss ${loss.toFixed(5)}`);
    } },
  });
  return { space, linear: result.model, iterations: result.iterations };
}

/**
 * Starting point for the final fit on all data from the holdout fit: weights of terms both vocabularies share
 * are copied, so the final fit converges in a fraction of the iterations.
 */
function transferWeights(from: Fitted, to: FeatureSpace, k: number): Float64Array {
  const x = new Float64Array(to.dimension * k + k);
  const oldIndex = new Map<string, number>();
  const wordCount = from.space.data.word.terms.length;
  from.space.data.word.terms.forEach((t, i) => oldIndex.set(`w\u0000${t}`, i));
  from.space.data.char.terms.forEach((t, i) => oldIndex.set(`c\u0000${t}`, wordCount + i));
  const newWordCount = to.data.word.terms.length;
  const copy = (key: string, row: number) => {
    const old = oldIndex.get(key);
    if (old === undefined) return;
    for (let c = 0; c < k; c++) x[row * k + c] = from.linear.weights[old * k + c]!;
  };
  to.data.word.terms.forEach((t, i) => copy(`w\u0000${t}`, i));
  to.data.char.terms.forEach((t, i) => copy(`c\u0000${t}`, newWordCount + i));
  for (let c = 0; c < k; c++) x[to.dimension * k + c] = from.linear.bias[c]!;
  return x;
}

/** Raw class scores of the holdout texts and the arg-max class of each. */
function scoreHoldout(fitted: Fitted, texts: string[]): { logits: Float64Array[]; predicted: number[] } {
  const logits: Float64Array[] = [];
  const predicted: number[] = [];
  for (const text of texts) {
    const scores = scoreLinear(fitted.linear, fitted.space.vectorize(text));
    logits.push(Float64Array.from(scores));
    let best = 0;
    for (let c = 1; c < scores.length; c++) if (scores[c]! > scores[best]!) best = c;
    predicted.push(best);
  }
  return { logits, predicted };
}

function describeOutcomes(logits: Float64Array[], labels: number[], outOfScopeIndex: number, temperature: number): HoldoutOutcome[] {
  return logits.map((l, i) => {
    const probs = softmaxInPlace(Float64Array.from(l), temperature);
    const label = labels[i]!;
    let best = -1;
    let bestOther = 0;
    for (let c = 0; c < probs.length; c++) {
      if (c === outOfScopeIndex) continue;
      if (best < 0 || probs[c]! > probs[best]!) best = c;
      if (c !== label && probs[c]! > bestOther) bestOther = probs[c]!;
    }
    const confidence = probs[best]!;
    const outOfScope = label === outOfScopeIndex;
    return {
      confidence,
      outOfScope,
      correct: !outOfScope && best === label,
      outOfScopeWon: outOfScopeIndex >= 0 && probs[outOfScopeIndex]! > confidence,
      withoutOwnClass: outOfScope ? confidence : bestOther / Math.max(1e-12, 1 - probs[label]!),
    };
  });
}

export function trainIntentModel(examples: readonly LabelledExample[], options: TrainOptions = {}): { model: IntentModel; summary: TrainSummary } {
  const started = performance.now();
  const progress = options.onProgress ?? (() => {});
  const c = options.c ?? DEFAULT_C;
  const config: FeatureConfig = { ...DEFAULT_FEATURE_CONFIG, ...options.features };
  const maxIterations = options.maxIterations ?? 200;
  const names = examples.map((e) => e.category || OUT_OF_SCOPE_CLASS);
  const classes = [...new Set(names)].sort();
  const inScopeClasses = classes.filter((n) => n !== OUT_OF_SCOPE_CLASS);
  if (inScopeClasses.length < 2) {
    throw new Error(`need examples of at least 2 intents, got ${inScopeClasses.length} (${inScopeClasses.join(', ') || 'none'})`);
  }
  const classIndex = new Map(classes.map((n, i) => [n, i]));
  const labels = names.map((n) => classIndex.get(n)!);
  const texts = examples.map((e) => e.text);
  const outOfScopeIndex = classIndex.get(OUT_OF_SCOPE_CLASS) ?? -1;

  const split = stratifiedSplit(names, options.holdoutFraction ?? 0.15, options.seed ?? 42);
  let holdoutAccuracy: number | null = null;
  let temperature = 1;
  let threshold = options.threshold ?? FALLBACK_THRESHOLD;
  let thresholdSource: TrainSummary['thresholdSource'] = options.threshold === undefined ? 'default' : 'option';
  let accepted: number | null = null;
  let rejected: number | null = null;
  let warmStart: Fitted | undefined;
  let iterations = 0;

  if (split.holdout.length > 0) {
    progress(`fitting on ${split.fit.length} examples, holding out ${split.holdout.length}`);
    const fitted = fit(
      split.fit.map((i) => texts[i]!),
      split.fit.map((i) => labels[i]!),
      classes.length,
      config,
      c,
      maxIterations,
      undefined,
      progress,
    );
    iterations += fitted.iterations;
    const heldTexts = split.holdout.map((i) => texts[i]!);
    const heldLabels = split.holdout.map((i) => labels[i]!);
    const { logits, predicted } = scoreHoldout(fitted, heldTexts);
    temperature = fitTemperature(logits, heldLabels, predicted);
    const outcomes = describeOutcomes(logits, heldLabels, outOfScopeIndex, temperature);
    const inScope = outcomes.filter((o) => !o.outOfScope);
    holdoutAccuracy = inScope.length ? inScope.filter((o) => o.correct).length / inScope.length : null;
    const choice = chooseThreshold(outcomes);
    if (options.threshold === undefined) {
      threshold = choice.threshold;
      thresholdSource = 'holdout';
    }
    accepted = choice.inScopeAccepted;
    rejected = choice.outOfScopeRejected;
    warmStart = fitted;
    progress(`holdout accuracy ${((holdoutAccuracy ?? 0) * 100).toFixed(2)}%, threshold ${threshold.toFixed(3)}, temperature ${temperature.toFixed(3)}`);
  }

  progress(`fitting the final model on all ${texts.length} examples (warm start: ${warmStart ? 'yes' : 'no'})`);
  const final = fit(texts, labels, classes.length, config, c, maxIterations, warmStart, progress);
  iterations += final.iterations;
  const seconds = (performance.now() - started) / 1000;
  const model = new IntentModel({
    classes,
    space: final.space,
    linear: final.linear,
    threshold,
    temperature,
    training: { examples: texts.length, holdoutExamples: split.holdout.length, holdoutAccuracy, c, seconds },
  });
  return {
    model,
    summary: {
      classes: inScopeClasses,
      examples: texts.length,
      outOfScopeExamples: outOfScopeIndex >= 0 ? labels.filter((l) => l === outOfScopeIndex).length : 0,
      holdoutExamples: split.holdout.length,
      holdoutAccuracy,
      threshold,
      thresholdSource,
      holdoutInScopeAccepted: accepted,
      holdoutOutOfScopeRejected: rejected,
      temperature,
      features: final.space.dimension,
      iterations,
      seconds,
    },
  };
}
