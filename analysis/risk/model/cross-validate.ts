/**
 * k-fold cross-validation of the learned model inside the detector, on the training split only: the model is
 * trained on k−1 folds and the whole detector (rules + model, vetoes included) classifies the held-out fold. The
 * out-of-fold probabilities choose each category's threshold, and the out-of-fold predictions are the honest
 * estimate of how rules + model do on wording the model was not trained on. (The rules were written on the same
 * split, so "rules alone" here is a training-set figure; the gain from the model is what the folds measure.)
 */
import { seededRandom } from '../../../knowledge/intent/split.js';
import { createRiskDetector } from '../detector.js';
import type { RiskRules } from '../rules.js';
import type { RiskModel } from './model.js';
import { trainRiskWeights, type TrainedWeights, type TrainingExample, type TrainingOptions } from './train.js';

export interface LabelledText extends TrainingExample {
  text: string;
  lang: string;
}

/** What the detector said about one held-out message, for every category. */
export interface OutOfFold {
  ruleCategories: Set<string>;
  /** Model probability per category (index = category order). */
  probability: number[];
  /** Whether the rules' judgement vetoes a learned hit of the category (index = category order). */
  vetoed: boolean[];
}

export interface MicroScore {
  precision: number;
  recall: number;
  f1: number;
  /** Risk-free messages flagged with any category / all risk-free messages. */
  fpr: number;
  flagged: number;
  riskFree: number;
  perCategoryF1: Record<string, number>;
}

/**
 * Fold of each example: stratified by language and first category (or none), shuffled with a fixed seed, dealt
 * round-robin so every fold gets its share of every stratum.
 */
export function assignFolds(examples: readonly LabelledText[], categories: readonly string[], k: number, seed: number): number[] {
  const random = seededRandom(seed);
  const strata = new Map<string, number[]>();
  examples.forEach((e, i) => {
    const key = `${e.lang}|${categories.find((c) => e.categories.includes(c)) ?? 'none'}`;
    const list = strata.get(key) ?? [];
    list.push(i);
    strata.set(key, list);
  });
  const fold = new Array<number>(examples.length).fill(0);
  let dealt = 0;
  for (const key of [...strata.keys()].sort()) {
    const indices = strata.get(key)!;
    for (let i = indices.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [indices[i], indices[j]] = [indices[j]!, indices[i]!];
    }
    for (const i of indices) fold[i] = dealt++ % k;
  }
  return fold;
}

export function modelFromWeights(weights: TrainedWeights, thresholds: Record<string, number>, info: RiskModel['info'], ruleVeto?: number): RiskModel {
  return { categories: weights.categories, thresholds, ...(ruleVeto === undefined ? {} : { ruleVeto }), terms: weights.terms, idf: weights.idf, weights: weights.weights, bias: weights.bias, info };
}

/** Trains one model per fold and runs the detector on each held-out fold with every category's threshold at 0. */
export function outOfFold(examples: readonly LabelledText[], folds: readonly number[], rules: RiskRules, categories: readonly string[], options: TrainingOptions): OutOfFold[] {
  const k = Math.max(...folds) + 1;
  const out = new Array<OutOfFold>(examples.length);
  for (let f = 0; f < k; f++) {
    const train = examples.filter((_, i) => folds[i] !== f);
    const weights = trainRiskWeights(train, categories, options);
    const model = modelFromWeights(weights, {}, { trainedOn: `fold ${f}`, dataSha256: '', c: options.c });
    // Threshold 0: every category the rules did not find is scored and judged, so any threshold can be applied later;
    // no veto, so the rules' own hits are kept and `combined` can apply (or skip) the veto.
    const detector = createRiskDetector(rules, { model, modelThreshold: 0, ruleVeto: 0 });
    examples.forEach((e, i) => {
      if (folds[i] !== f) return;
      const result = detector.classify(e.text);
      const signals = result.signals.model!;
      const ruleCategories = new Set(result.signals.fired.map((h) => h.category));
      out[i] = {
        ruleCategories,
        probability: categories.map((c) => signals.probabilities[c] ?? 0),
        vetoed: categories.map((c) => signals.vetoed.some((v) => v.category === c)),
      };
    });
  }
  return out;
}

/**
 * Categories predicted for one message, as the detector would: the rules' ones the model does not rule out (probability
 * at or above `ruleVeto`), plus learned ones at or above the threshold and not vetoed.
 */
export function combined(record: OutOfFold, categories: readonly string[], thresholds: Record<string, number>, ruleVeto: number): string[] {
  return categories.filter((c, j) => detectorReports(record, c, j, thresholds[c] ?? 1, ruleVeto));
}

/** The detector's decision on category `c` (index `j`) of one message: a rule hit unless vetoed, else a learned hit. */
function detectorReports(record: OutOfFold, c: string, j: number, threshold: number, ruleVeto: number): boolean {
  const p = record.probability[j]!;
  return record.ruleCategories.has(c) ? p >= ruleVeto : !record.vetoed[j] && p >= threshold;
}

export function scoreMicro(gold: readonly (readonly string[])[], predicted: readonly string[][], categories: readonly string[]): MicroScore {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const perCategoryF1: Record<string, number> = {};
  for (const c of categories) {
    let ctp = 0;
    let cfp = 0;
    let cfn = 0;
    gold.forEach((g, i) => {
      const want = g.includes(c);
      const got = predicted[i]!.includes(c);
      if (want && got) ctp++;
      else if (got) cfp++;
      else if (want) cfn++;
    });
    perCategoryF1[c] = round(ctp === 0 ? 0 : (2 * ctp) / (2 * ctp + cfp + cfn));
    tp += ctp;
    fp += cfp;
    fn += cfn;
  }
  const riskFree = gold.map((g, i) => (g.length === 0 ? i : -1)).filter((i) => i >= 0);
  const flagged = riskFree.filter((i) => predicted[i]!.length > 0).length;
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  return {
    precision: round(precision),
    recall: round(recall),
    f1: round(precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall)),
    fpr: round(riskFree.length === 0 ? 0 : flagged / riskFree.length),
    flagged,
    riskFree: riskFree.length,
    perCategoryF1,
  };
}

/**
 * Per category, the threshold that maximises F-beta of the model on its own (every out-of-fold message, rules
 * ignored). Not of rules + model: the rules were written on this split and already find nearly every positive in
 * it, so the few they miss would push every threshold up, while on new wording the rules miss far more (blind set
 * 1: recall 0.72) and the model's own precision is what a learned hit is worth. Candidate thresholds are a fixed
 * grid so ties never depend on the data order; `floor` keeps a threshold from going below what is sensible for a
 * category with few positives.
 */
export function chooseThresholds(
  records: readonly OutOfFold[],
  gold: readonly (readonly string[])[],
  categories: readonly string[],
  beta: number,
  floor: number,
  objective: 'model' | 'detector',
  ruleVeto: number,
): Record<string, number> {
  const thresholds: Record<string, number> = {};
  const grid = Array.from({ length: 99 }, (_, i) => round((i + 1) / 100)).filter((t) => t >= floor);
  const b2 = beta * beta;
  categories.forEach((c, j) => {
    let best = { t: 1, score: 0 };
    for (const t of grid) {
      let tp = 0;
      let fp = 0;
      let fn = 0;
      records.forEach((r, i) => {
        const want = gold[i]!.includes(c);
        const got = objective === 'model' ? r.probability[j]! >= t : detectorReports(r, c, j, t, ruleVeto);
        if (want && got) tp++;
        else if (got) fp++;
        else if (want) fn++;
      });
      const score = tp === 0 ? 0 : ((1 + b2) * tp) / ((1 + b2) * tp + b2 * fn + fp);
      if (score > best.score) best = { t, score };
    }
    thresholds[c] = best.t;
  });
  return thresholds;
}

const round = (n: number) => Math.round(n * 10000) / 10000;
