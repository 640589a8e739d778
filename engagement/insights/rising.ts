import { benjaminiHochberg, poissonUpperTail } from './poisson.js';

export interface RisingTopic {
  topic: string;
  count: number;
  /** Count expected this week at the baseline rate: this week's volume × the topic's baseline share. */
  expected: number;
  ratio: number;
  pValue: number;
  qValue: number;
  /** Weekly counts, oldest baseline week first, this week last. */
  history: number[];
}

export interface RisingOptions {
  /** False discovery rate across all topics tested this week (Benjamini–Hochberg). */
  fdr: number;
  minCount: number;
  minRatio: number;
}

/**
 * Topics whose count this week is improbably high against their own baseline.
 *
 * Test: for each topic, X = this week's count ~ Poisson(λ), λ = N · p₀, where N is this week's number of customer
 * messages and p₀ = (baseline count + 0.5) / (baseline messages + 1) is the topic's share over the baseline weeks
 * (the 0.5 keeps a topic never seen before from having λ = 0). One-sided p = P(X ≥ count). Normalising by N means a
 * busy week does not make everything "rise". Only topics with count ≥ minCount are tested; their p-values are
 * adjusted with Benjamini–Hochberg and a topic is rising when q ≤ fdr and count / λ ≥ minRatio.
 *
 * `series` maps a topic to its weekly counts (baseline weeks oldest first, this week last); `totals` holds the
 * message counts of the same weeks. Nothing rises without a baseline (no messages before this week).
 */
export function detectRising(series: Map<string, number[]>, totals: number[], opts: RisingOptions): RisingTopic[] {
  const baselineTotal = totals.slice(0, -1).reduce((a, b) => a + b, 0);
  const currentTotal = totals.at(-1) ?? 0;
  if (baselineTotal === 0 || currentTotal === 0) return [];
  const tested: Omit<RisingTopic, 'qValue'>[] = [];
  for (const [topic, history] of series) {
    const count = history.at(-1) ?? 0;
    if (count < opts.minCount) continue;
    const baseline = history.slice(0, -1).reduce((a, b) => a + b, 0);
    const expected = (currentTotal * (baseline + 0.5)) / (baselineTotal + 1);
    tested.push({ topic, count, expected, ratio: count / expected, pValue: poissonUpperTail(count, expected), history });
  }
  const q = benjaminiHochberg(tested.map((t) => t.pValue));
  return tested
    .map((t, i) => ({ ...t, qValue: q[i] as number }))
    .filter((t) => t.qValue <= opts.fdr && t.ratio >= opts.minRatio)
    .sort((a, b) => a.pValue - b.pValue || b.count - a.count);
}
