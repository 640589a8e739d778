/**
 * Leave-one-source-out evaluation of the learned risk model: the labelled set was written in batches (the original
 * set, "fresh set N", "author set N", "blind set N" in the notes); for each batch, the model is trained (thresholds
 * cross-validated as in `kefu risk train`) on the dev split without that batch, and the batch is scored with the
 * rules alone and with rules + model. A batch's wording is new to that model, so the gain it measures is the
 * model's gain on unseen phrasing. The rules alone are flattered (they were written on every batch) unless
 * `--rules` names the rule file of a time before the batch was seen, e.g. the rules blind set 1 was scored with:
 *
 *   npx tsx bench/risk-cv.ts                                   # every batch, current rules
 *   npx tsx bench/risk-cv.ts --source "blind set 1" --rules bench/fixtures/risk-rules-at-blind1.yaml
 *
 * Only aggregates are printed. A batch's holdout messages are scored too (aggregate only, never listed).
 * Blind files are never read.
 */
import { parseArgs } from 'node:util';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRiskDetector } from '../analysis/risk/detector.js';
import { DEFAULT_RISK_RULES_PATH, loadRiskRules } from '../analysis/risk/rules.js';
import { buildRiskModel, DEFAULT_BUILD_OPTIONS } from '../analysis/risk/model/build.js';
import { scoreMicro, type MicroScore } from '../analysis/risk/model/cross-validate.js';
import { INSPECTABLE_SPLITS, LABELLED_PATH, loadExamples } from './risk-sets.js';

const sourceOf = (note: string | undefined) => /from ((?:fresh|author|blind) set \d+)/.exec(note ?? '')?.[1] ?? 'original set';

function main(): void {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { rules: { type: 'string' }, source: { type: 'string' } }, strict: true });
  const rules = loadRiskRules(values.rules ?? DEFAULT_RISK_RULES_PATH);
  const categories = rules.categories.map((c) => c.name);
  const lines = loadExamples(LABELLED_PATH, INSPECTABLE_SPLITS);
  const sources = [...new Set(lines.filter((l) => l.split === 'dev').map((l) => sourceOf(l.note)))].filter((s) => values.source === undefined || s === values.source);
  if (sources.length === 0) throw new Error(`no batch "${values.source}" in ${LABELLED_PATH}`);
  const rulesOnly = createRiskDetector(rules);
  const dir = mkdtempSync(path.join(tmpdir(), 'risk-cv-'));
  const fmt = (s: MicroScore) => `F1 ${s.f1.toFixed(3)} (P ${s.precision.toFixed(3)} R ${s.recall.toFixed(3)}) FPR ${(s.fpr * 100).toFixed(1)}% (${s.flagged}/${s.riskFree})`;
  console.log(`leave-one-source-out — rules ${values.rules ?? 'config/risk-rules.yaml'}, model options as kefu risk train`);
  const totals = { gold: [] as string[][], rules: [] as string[][], model: [] as string[][] };
  try {
    for (const source of sources) {
      // Train on the dev split without this batch (a temporary copy of the set, so the trainer reads what it always reads).
      const trainFile = path.join(dir, 'train.jsonl');
      writeFileSync(trainFile, lines.filter((l) => l.split === 'dev' && sourceOf(l.note) !== source).map((l) => JSON.stringify(l)).join('\n'));
      const { model } = buildRiskModel(rules, { ...DEFAULT_BUILD_OPTIONS, dataPath: trainFile });
      const withModel = createRiskDetector(rules, { model });
      const held = lines.filter((l) => sourceOf(l.note) === source);
      const gold = held.map((l) => l.categories);
      const r = held.map((l) => rulesOnly.classify(l.text).categories);
      const m = held.map((l) => withModel.classify(l.text).categories);
      totals.gold.push(...gold);
      totals.rules.push(...r);
      totals.model.push(...m);
      console.log(`${source.padEnd(14)} ${String(held.length).padStart(4)} msgs  rules alone ${fmt(scoreMicro(gold, r, categories))}  |  rules + model ${fmt(scoreMicro(gold, m, categories))}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (sources.length > 1) {
    console.log(`${'all batches'.padEnd(14)} ${String(totals.gold.length).padStart(4)} msgs  rules alone ${fmt(scoreMicro(totals.gold, totals.rules, categories))}  |  rules + model ${fmt(scoreMicro(totals.gold, totals.model, categories))}`);
  }
}

main();
