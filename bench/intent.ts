/**
 * Intent benchmark on banking77 (77 banking intents, 10 003 train / 3 080 test English queries).
 * Trains with the offline default exactly as `kefu intent train` does (hyper-parameters and the out-of-scope
 * threshold are tuned only on a holdout carved from train.csv), then scores test.csv once.
 *
 *   npm run bench:intent            (BANKING77_DIR overrides ../shared/datasets/banking77)
 */
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readLabelledCsv } from '../knowledge/intent/csv.js';
import { accuracy, macroF1, percentile } from '../knowledge/intent/metrics.js';
import { IntentModel } from '../knowledge/intent/model.js';
import { trainIntentModel } from '../knowledge/intent/train.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = process.env.BANKING77_DIR ?? path.resolve(repoRoot, '../shared/datasets/banking77');

const train = await readLabelledCsv(path.join(dataDir, 'train.csv'));
const test = await readLabelledCsv(path.join(dataDir, 'test.csv'));
process.stderr.write(`banking77: ${train.length} train, ${test.length} test examples from ${dataDir}\n`);

const cpuBefore = process.cpuUsage();
const { model: trained, summary } = trainIntentModel(train, { onProgress: (m) => process.stderr.write(`  ${m}\n`) });

// CPU time next to wall time: on a shared machine the wall clock mostly measures the neighbours.
const trainingCpu = process.cpuUsage(cpuBefore);

// Evaluate the model as it is shipped: saved, then loaded back (int8 weights), like `kefu intent classify`.
const scratch = await mkdtemp(path.join(tmpdir(), 'intent-bench-'));
const modelFile = path.join(scratch, 'banking77.model.json');
await trained.save(modelFile);
const model = await IntentModel.load(modelFile);
const modelFileBytes = (await stat(modelFile)).size;
await rm(scratch, { recursive: true, force: true });

const truth = test.map((e) => e.category);
const top1: string[] = [];
const withThreshold: (string | null)[] = [];
const latencies: number[] = [];
for (const e of test) model.classify(e.text); // warm-up: JIT and jieba/opencc initialisation
for (const e of test) {
  const started = performance.now();
  const prediction = model.classify(e.text);
  latencies.push(performance.now() - started);
  withThreshold.push(prediction.intent);
  top1.push(model.rank(e.text, 1)[0]!.intent);
}

const results = {
  dataset: 'banking77',
  variant: 'offline default: word 1-2-gram + char 2-5-gram TF-IDF (sublinear) → multinomial logistic regression (L-BFGS), pure TypeScript',
  trainExamples: train.length,
  testExamples: test.length,
  classes: summary.classes.length,
  features: summary.features,
  holdoutExamples: summary.holdoutExamples,
  holdoutAccuracy: summary.holdoutAccuracy,
  testAccuracy: accuracy(truth, top1),
  testMacroF1: macroF1(truth, top1),
  threshold: summary.threshold,
  testAccuracyWithThreshold: accuracy(truth, withThreshold),
  testRejectedShare: withThreshold.filter((p) => p === null).length / test.length,
  trainingSeconds: summary.seconds,
  trainingCpuSeconds: (trainingCpu.user + trainingCpu.system) / 1e6,
  lbfgsIterations: summary.iterations,
  latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), max: Math.max(...latencies) },
  modelFileBytes,
  node: process.version,
  measuredAt: new Date().toISOString(),
};

const pct = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(2)}%`);
const rows: [string, string][] = [
  ['train / test examples', `${results.trainExamples} / ${results.testExamples}`],
  ['classes / features', `${results.classes} / ${results.features}`],
  ['holdout accuracy (train split)', pct(results.holdoutAccuracy)],
  ['test accuracy (top-1)', pct(results.testAccuracy)],
  ['test macro-F1', pct(results.testMacroF1)],
  [`test accuracy, threshold ${results.threshold.toFixed(3)}`, `${pct(results.testAccuracyWithThreshold)} (${pct(results.testRejectedShare)} → null)`],
  ['training time (wall / CPU)', `${results.trainingSeconds.toFixed(1)} s / ${results.trainingCpuSeconds.toFixed(1)} s (${results.lbfgsIterations} L-BFGS iterations)`],
  ['latency p50 / p95 per message', `${results.latencyMs.p50.toFixed(3)} / ${results.latencyMs.p95.toFixed(3)} ms`],
  ['model file', `${(results.modelFileBytes / 1e6).toFixed(1)} MB`],
];
const width = Math.max(...rows.map(([k]) => k.length));
process.stdout.write(`intent benchmark — banking77\n${rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n')}\n`);

await mkdir(path.join(repoRoot, 'bench/results'), { recursive: true });
await writeFile(path.join(repoRoot, 'bench/results/intent.json'), `${JSON.stringify(results, null, 2)}\n`);
