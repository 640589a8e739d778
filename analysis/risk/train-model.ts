/**
 * Trains the learned risk model on the dev split of the labelled set and writes config/risk-model.json.
 * Deterministic: the same data and rules give the same file.
 *
 *   npx tsx analysis/risk/train-model.ts                       # = kefu risk train
 *   npx tsx analysis/risk/train-model.ts --out /tmp/m.json --rules my-rules.yaml --data my-labelled.jsonl
 */
import { runRiskTraining } from './model/run-training.js';

process.exitCode = runRiskTraining(process.argv.slice(2), (line) => process.stdout.write(`${line}\n`), (line) => process.stderr.write(`${line}\n`));
