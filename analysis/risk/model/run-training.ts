/**
 * The training command shared by `kefu risk train` and `npx tsx analysis/risk/train-model.ts`: build the model,
 * write the file, print what cross-validation measured.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_RISK_RULES_PATH, loadRiskRules } from '../rules.js';
import { buildRiskModel, DEFAULT_BUILD_OPTIONS, DEFAULT_RISK_TRAINING_DATA, type CrossValidationReport } from './build.js';
import type { MicroScore } from './cross-validate.js';
import { DEFAULT_RISK_MODEL_PATH, serialiseRiskModel } from './model-file.js';

export interface RiskTrainingRequest {
  out?: string | undefined;
  data?: string | undefined;
  rules?: string | undefined;
  c?: number | undefined;
  beta?: number | undefined;
}

export const RISK_TRAINING_USAGE = `usage: npx tsx analysis/risk/train-model.ts [--out file.json] [--data labelled.jsonl] [--rules rules.yaml] [--c 32] [--beta 0.5]
  --out    where to write the model (default config/risk-model.json)
  --data   labelled JSONL; only its "dev" split is trained on (default test/fixtures/risk/labelled.jsonl)
  --rules  rule file whose normalisation and judgement the model is combined with (default config/risk-rules.yaml)
  --c      inverse L2 strength; --beta  F-beta for the per-category thresholds (< 1 favours precision)`;

/** Trains and writes; returns the lines to print. */
export function trainRiskModelToFile(request: RiskTrainingRequest): { path: string; lines: string[] } {
  const rules = loadRiskRules(request.rules ?? DEFAULT_RISK_RULES_PATH);
  const options = {
    ...DEFAULT_BUILD_OPTIONS,
    dataPath: request.data ?? DEFAULT_RISK_TRAINING_DATA,
    training: { ...DEFAULT_BUILD_OPTIONS.training, ...(request.c === undefined ? {} : { c: request.c }) },
    ...(request.beta === undefined ? {} : { beta: request.beta }),
  };
  const { model, report, training } = buildRiskModel(rules, options);
  const path = request.out ?? DEFAULT_RISK_MODEL_PATH;
  writeFileSync(path, serialiseRiskModel(model, training));
  return {
    path,
    lines: [
      `trained on ${model.info.trainedOn}: ${model.terms.length} n-grams, ${model.categories.length} categories`,
      `thresholds: ${Object.entries(model.thresholds).map(([c, t]) => `${c} ${t}`).join(', ')}`,
      ...formatReport(report),
      `wrote ${path}`,
    ],
  };
}

function formatReport(report: CrossValidationReport): string[] {
  const line = (name: string, s: MicroScore) =>
    `  ${name.padEnd(16)} P ${s.precision.toFixed(3)}  R ${s.recall.toFixed(3)}  F1 ${s.f1.toFixed(3)}  FPR ${(s.fpr * 100).toFixed(1)}% (${s.flagged}/${s.riskFree})`;
  return [
    `${report.folds}-fold cross-validation on the training split (${report.messages} messages; model trained without the fold, thresholds chosen without it):`,
    line('rules only', report.rulesOnly),
    line('rules + model', report.rulesPlusModel),
    line('model only', report.modelOnly),
    '  (the rules were written on this split, so "rules only" is a training-set figure; the model\'s are held-out)',
  ];
}

/** Command-line entry: returns the exit code. */
export function runRiskTraining(argv: string[], out: (line: string) => void, err: (line: string) => void): number {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { out: { type: 'string' }, data: { type: 'string' }, rules: { type: 'string' }, c: { type: 'string' }, beta: { type: 'string' }, help: { type: 'boolean' } },
      strict: true,
    }));
  } catch (error) {
    err(`${error instanceof Error ? error.message : String(error)}\n${RISK_TRAINING_USAGE}`);
    return 2;
  }
  if (values.help) {
    out(RISK_TRAINING_USAGE);
    return 0;
  }
  const number = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const c = number(values.c);
  const beta = number(values.beta);
  if ((c !== undefined && !(c > 0)) || (beta !== undefined && !(beta > 0))) {
    err(`--c and --beta must be positive numbers\n${RISK_TRAINING_USAGE}`);
    return 2;
  }
  const { lines } = trainRiskModelToFile({ out: values.out, data: values.data, rules: values.rules, c, beta });
  for (const l of lines) out(l);
  return 0;
}
