/**
 * Risk detector benchmark: per-category precision/recall/F1, micro-F1, false-positive rate on
 * risk-free messages and p95 latency, on the dev and holdout splits of the labelled set, plus a
 * "fresh" set written after the rules were frozen (the holdout was written by the same author who
 * wrote the rules, so fresh is the less optimistic estimate of unseen phrasing).
 *
 *   npm run bench:risk                   # table + bench/results/risk.json
 *   npx tsx bench/risk.ts --errors dev   # also list dev misclassifications (tune on dev only)
 *   npx tsx bench/risk.ts --rules my-rules.yaml
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { createRiskDetector } from '../analysis/risk/detector.js';
import { DEFAULT_RISK_RULES_PATH, loadRiskRules } from '../analysis/risk/rules.js';
import { percentile, scorePredictions, type LabelledExample, type Prediction, type SplitScore } from './risk-metrics.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const LABELLED_PATH = fileURLToPath(new URL('../test/fixtures/risk/labelled.jsonl', import.meta.url));
const FRESH_PATH = fileURLToPath(new URL('../test/fixtures/risk/fresh.jsonl', import.meta.url));
const RESULTS_PATH = fileURLToPath(new URL('./results/risk.json', import.meta.url));
const LATENCY_ROUNDS = 5;

const exampleSchema = z.object({
  text: z.string().min(1),
  lang: z.enum(['zh', 'en']),
  categories: z.array(z.string()),
  note: z.string().optional(),
  split: z.enum(['dev', 'holdout', 'fresh']),
});

function argValue(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function loadLabelled(path: string): LabelledExample[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((line, i) => ({ line: line.trim(), n: i + 1 }))
    .filter(({ line }) => line.length > 0)
    .map(({ line, n }) => {
      const parsed = exampleSchema.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`${path}:${n}: ${parsed.error.issues.map((x) => x.message).join('; ')}`);
      return parsed.data;
    });
}

const pct = (n: number) => `${(n * 100).toFixed(1)}%`;
const num = (n: number) => n.toFixed(3);

function printSplit(name: string, score: SplitScore): void {
  console.log(`\n${name} (${score.messages} messages)`);
  console.log(`${'category'.padEnd(22)}${'support'.padStart(8)}${'P'.padStart(8)}${'R'.padStart(8)}${'F1'.padStart(8)}`);
  for (const [category, s] of Object.entries(score.perCategory)) {
    console.log(`${category.padEnd(22)}${String(s.support).padStart(8)}${num(s.precision).padStart(8)}${num(s.recall).padStart(8)}${num(s.f1).padStart(8)}`);
  }
  console.log(`${'micro'.padEnd(22)}${''.padStart(8)}${num(score.micro.precision).padStart(8)}${num(score.micro.recall).padStart(8)}${num(score.micro.f1).padStart(8)}`);
  const fpr = score.falsePositiveRate;
  const hard = score.hardNegativeFalsePositiveRate;
  console.log(`exact match ${pct(score.exactMatch)}; FPR on risk-free ${fpr.flagged}/${fpr.riskFree} = ${pct(fpr.rate)}; on hard negatives ${hard.flagged}/${hard.hardNegatives} = ${pct(hard.rate)}`);
}

function main(): void {
  const rulesPath = argValue('--rules') ?? DEFAULT_RISK_RULES_PATH;
  const errorsFor = argValue('--errors');
  const loadStart = performance.now();
  const rules = loadRiskRules(rulesPath);
  const detector = createRiskDetector(rules);
  const loadMs = performance.now() - loadStart;
  const categories = rules.categories.map((c) => c.name);
  const examples = [...loadLabelled(LABELLED_PATH), ...(existsSync(FRESH_PATH) ? loadLabelled(FRESH_PATH) : [])];

  // Warm-up round (JIT, OpenCC dictionaries), then timed rounds; p95 over every timed call.
  const predictions: Prediction[] = examples.map((example) => ({ example, predicted: detector.classify(example.text).categories }));
  const latencies: number[] = [];
  for (let round = 0; round < LATENCY_ROUNDS; round++) {
    for (const example of examples) {
      const start = performance.now();
      detector.classify(example.text);
      latencies.push(performance.now() - start);
    }
  }

  const bySplit = (split: string) => predictions.filter((p) => p.example.split === split);
  const scores = {
    dev: scorePredictions(bySplit('dev'), categories),
    holdout: scorePredictions(bySplit('holdout'), categories),
    fresh: scorePredictions(bySplit('fresh'), categories),
  };
  const perLanguage = Object.fromEntries(
    ['zh', 'en'].map((lang) => [lang, {
      dev: scorePredictions(bySplit('dev').filter((p) => p.example.lang === lang), categories).micro,
      holdout: scorePredictions(bySplit('holdout').filter((p) => p.example.lang === lang), categories).micro,
      fresh: scorePredictions(bySplit('fresh').filter((p) => p.example.lang === lang), categories).micro,
    }]),
  );
  const latency = {
    p50Ms: Number(percentile(latencies, 50).toFixed(4)),
    p95Ms: Number(percentile(latencies, 95).toFixed(4)),
    maxMs: Number(Math.max(...latencies).toFixed(4)),
    samples: latencies.length,
  };

  console.log(`risk detector benchmark — rules ${relative(root, rulesPath)}, labelled set ${relative(root, LABELLED_PATH)}`);
  printSplit('dev (rules tuned on this split)', scores.dev);
  printSplit('holdout (never tuned on)', scores.holdout);
  printSplit('fresh (written after the rules were frozen, never tuned on)', scores.fresh);
  console.log(`\nmicro-F1 by language: ${Object.entries(perLanguage).map(([l, s]) => `${l} dev ${num(s.dev.f1)} / holdout ${num(s.holdout.f1)} / fresh ${num(s.fresh.f1)}`).join('; ')}`);
  console.log(`latency per message: p50 ${latency.p50Ms} ms, p95 ${latency.p95Ms} ms, max ${latency.maxMs} ms (${latency.samples} calls); rules load ${loadMs.toFixed(1)} ms`);
  const meetsGoal = (s: SplitScore) => s.messages > 0 && s.micro.f1 >= 0.9 && s.falsePositiveRate.rate <= 0.03;
  const goal = { holdout: meetsGoal(scores.holdout), fresh: meetsGoal(scores.fresh) };
  console.log(`goal (micro-F1 ≥ 0.90 and FPR ≤ 3%): holdout ${goal.holdout ? 'met' : 'NOT met'}, fresh ${goal.fresh ? 'met' : 'NOT met'}`);

  const errors = predictions
    .filter((p) => p.example.categories.join() !== [...p.predicted].sort().join())
    .map((p) => ({ split: p.example.split, text: p.example.text, expected: p.example.categories, predicted: p.predicted }));
  if (errorsFor) {
    console.log(`\nmisclassified (${errorsFor}):`);
    for (const e of errors.filter((x) => errorsFor === 'all' || x.split === errorsFor)) {
      console.log(`  ${JSON.stringify(e.text)} expected [${e.expected.join(', ')}] got [${e.predicted.join(', ')}]`);
    }
  }

  mkdirSync(dirname(RESULTS_PATH), { recursive: true });
  writeFileSync(
    RESULTS_PATH,
    `${JSON.stringify({
      benchmark: 'risk',
      command: 'npm run bench:risk',
      rules: relative(root, rulesPath),
      labelled: relative(root, LABELLED_PATH),
      fresh: relative(root, FRESH_PATH),
      node: process.version,
      date: new Date().toISOString(),
      scores,
      microF1ByLanguage: perLanguage,
      latency,
      rulesLoadMs: Number(loadMs.toFixed(1)),
      goal: { microF1AtLeast: 0.9, fprAtMost: 0.03, met: goal },
      misclassified: errors,
    }, null, 2)}\n`,
  );
  console.log(`\nwrote ${relative(root, RESULTS_PATH)}`);
}

main();
