/** Scoring of multi-label risk predictions against the labelled set (pure, no I/O). */

/** dev: tuned on; holdout: never tuned on; blind: written by someone who never saw the rules, scored only. */
export const RISK_SPLITS = ['dev', 'holdout', 'blind'] as const;
export type RiskSplit = (typeof RISK_SPLITS)[number];

export interface LabelledExample {
  text: string;
  lang: string;
  categories: string[];
  note?: string;
  split: RiskSplit;
}

export interface Prediction {
  example: LabelledExample;
  predicted: string[];
}

export interface CategoryScore {
  support: number;
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface SplitScore {
  messages: number;
  perCategory: Record<string, CategoryScore>;
  micro: { precision: number; recall: number; f1: number };
  /** Share of messages whose predicted set equals the labelled set. */
  exactMatch: number;
  /** Risk-free messages flagged with any category / all risk-free messages. */
  falsePositiveRate: { riskFree: number; flagged: number; rate: number };
  /** Same, restricted to the hard negatives (informational, negated, variant-script mentions). */
  hardNegativeFalsePositiveRate: { hardNegatives: number; flagged: number; rate: number };
}

const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);
const f1 = (p: number, r: number) => (p + r === 0 ? 0 : (2 * p * r) / (p + r));
const round = (n: number) => Math.round(n * 10000) / 10000;

export const isHardNegative = (e: LabelledExample) => e.categories.length === 0 && (e.note ?? '').startsWith('HN');

export function scorePredictions(predictions: Prediction[], categories: readonly string[]): SplitScore {
  const perCategory: Record<string, CategoryScore> = {};
  let tpAll = 0;
  let fpAll = 0;
  let fnAll = 0;
  for (const category of categories) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const { example, predicted } of predictions) {
      const gold = example.categories.includes(category);
      const got = predicted.includes(category);
      if (gold && got) tp++;
      else if (got) fp++;
      else if (gold) fn++;
    }
    const precision = ratio(tp, tp + fp);
    const recall = ratio(tp, tp + fn);
    perCategory[category] = { support: tp + fn, tp, fp, fn, precision: round(precision), recall: round(recall), f1: round(f1(precision, recall)) };
    tpAll += tp;
    fpAll += fp;
    fnAll += fn;
  }
  const microP = ratio(tpAll, tpAll + fpAll);
  const microR = ratio(tpAll, tpAll + fnAll);
  const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));
  const riskFree = predictions.filter((p) => p.example.categories.length === 0);
  const hard = riskFree.filter((p) => isHardNegative(p.example));
  const flagged = riskFree.filter((p) => p.predicted.length > 0).length;
  const hardFlagged = hard.filter((p) => p.predicted.length > 0).length;
  return {
    messages: predictions.length,
    perCategory,
    micro: { precision: round(microP), recall: round(microR), f1: round(f1(microP, microR)) },
    exactMatch: round(ratio(predictions.filter((p) => sameSet(p.predicted, p.example.categories)).length, predictions.length)),
    falsePositiveRate: { riskFree: riskFree.length, flagged, rate: round(ratio(flagged, riskFree.length)) },
    hardNegativeFalsePositiveRate: { hardNegatives: hard.length, flagged: hardFlagged, rate: round(ratio(hardFlagged, hard.length)) },
  };
}

export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? 0;
}
