import { createInterface } from 'node:readline';
import { once } from 'node:events';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { UsageError } from '../errors.js';
import { readLabelledCsv } from '../../knowledge/intent/csv.js';
import { IntentModel } from '../../knowledge/intent/model.js';
import { DEFAULT_C, trainIntentModel, type TrainSummary } from '../../knowledge/intent/train.js';

/**
 * `kefu intent …`: the offline intent classifier. `train` turns an ops-authored `text,category` CSV into a model
 * file; `classify` streams JSON lines through it. No network, no API key.
 */
export function register(program: Command): void {
  const intent = program.command('intent').description('offline intent classifier (zh + en): train from a CSV, classify JSON lines');
  registerTrain(intent);
  registerClassify(intent);
}

function number(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max) throw new InvalidArgumentError(`must be a number from ${min} to ${max}`);
    return n;
  };
}

interface TrainOptions {
  data: string;
  out: string;
  c?: number;
  threshold?: number;
  holdout: number;
  seed: number;
  quiet?: boolean;
}

function registerTrain(intent: Command): void {
  intent
    .command('train')
    .description('train a model from labelled examples; an empty category marks an out-of-scope example')
    .requiredOption('--data <csv>', 'CSV with columns text,category (header optional; quoted fields allowed)')
    .requiredOption('--out <file>', 'model file to write (JSON)')
    .option('--threshold <p>', 'fixed out-of-scope threshold 0..1 instead of tuning it on the holdout', number(0, 1))
    .option('--c <value>', `inverse regularisation strength (default ${DEFAULT_C})`, number(1e-6, 1e6))
    .option('--holdout <fraction>', 'share of each intent held out for validation and threshold tuning', number(0, 0.5), 0.15)
    .option('--seed <n>', 'seed of the holdout split', number(0, 2 ** 31), 42)
    .option('--quiet', 'no progress lines on stderr')
    .action(async (opts: TrainOptions) => {
      const examples = await readLabelledCsv(opts.data).catch((err: Error) => {
        throw new UsageError(err.message);
      });
      if (examples.length === 0) throw new UsageError(`${opts.data} has no examples`);
      let result: ReturnType<typeof trainIntentModel>;
      try {
        result = trainIntentModel(examples, {
          c: opts.c,
          threshold: opts.threshold,
          holdoutFraction: opts.holdout,
          seed: opts.seed,
          onProgress: opts.quiet ? undefined : (m) => process.stderr.write(`${m}\n`),
        });
      } catch (err) {
        throw new UsageError(`cannot train on ${opts.data}: ${(err as Error).message}`);
      }
      await result.model.save(opts.out);
      process.stdout.write(formatSummary(result.summary, opts.out));
    });
}

export function formatSummary(s: TrainSummary, out: string): string {
  const pct = (v: number | null) => (v === null ? 'n/a (too few examples to hold any out)' : `${(v * 100).toFixed(1)}%`);
  const lines = [
    `model written to ${out}`,
    `  classes              ${s.classes.length}: ${s.classes.join(', ')}`,
    `  examples             ${s.examples}${s.outOfScopeExamples ? ` (${s.outOfScopeExamples} out-of-scope)` : ''}`,
    `  validation accuracy  ${pct(s.holdoutAccuracy)}${s.holdoutExamples ? ` on ${s.holdoutExamples} held-out examples` : ''}`,
    `  threshold            ${s.threshold.toFixed(3)} (${s.thresholdSource === 'holdout' ? 'tuned on the holdout' : s.thresholdSource === 'option' ? '--threshold' : 'default, no holdout'})`,
    `  features             ${s.features}`,
    `  time                 ${s.seconds.toFixed(1)} s`,
  ];
  return `${lines.join('\n')}\n`;
}

const inputLine = (value: unknown): value is { text: string } =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { text?: unknown }).text === 'string';

function registerClassify(intent: Command): void {
  intent
    .command('classify')
    .description('read JSON lines {"text": …} on stdin, write {"text", "intent" (null = out of scope), "confidence"} per line')
    .requiredOption('--model <file>', 'model file written by `kefu intent train`')
    .option('--threshold <p>', 'override the model’s out-of-scope threshold', number(0, 1))
    .action(async (opts: { model: string; threshold?: number }) => {
      let model = await IntentModel.load(opts.model).catch((err: Error) => {
        throw new UsageError(err.message);
      });
      if (opts.threshold !== undefined) model = model.withThreshold(opts.threshold);
      let lineNumber = 0;
      let bad = 0;
      const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
      for await (const line of lines) {
        lineNumber++;
        if (line.trim() === '') continue;
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch (err) {
          bad++;
          process.stderr.write(`line ${lineNumber}: not valid JSON (${(err as Error).message})\n`);
          continue;
        }
        if (!inputLine(value)) {
          bad++;
          process.stderr.write(`line ${lineNumber}: expected an object with a string "text" field\n`);
          continue;
        }
        const { intent: name, confidence } = model.classify(value.text);
        const output = JSON.stringify({ text: value.text, intent: name, confidence: Math.round(confidence * 1e4) / 1e4 });
        if (!process.stdout.write(`${output}\n`)) await once(process.stdout, 'drain');
      }
      // Every good line was answered; the exit code still tells a script that some input was skipped.
      if (bad > 0) process.exitCode = 1;
    });
}
