/**
 * The labelled sets of the risk benchmark and the rules for using them. `dev` is for tuning; `holdout`
 * is scored but never tuned on; `blind` is a set written by someone who never saw the rules, scored once
 * per rule release by the lead. A blind set's errors are never printed or written anywhere: once anyone
 * reads them, the set measures the author's memory instead of unseen phrasing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { RISK_SPLITS, type LabelledExample, type RiskSplit } from './risk-metrics.js';

export const LABELLED_PATH = fileURLToPath(new URL('../test/fixtures/risk/labelled.jsonl', import.meta.url));
export const BLIND_PATH = fileURLToPath(new URL('../test/fixtures/risk/blind10.jsonl', import.meta.url));
export const RESULTS_PATH = fileURLToPath(new URL('./results/risk.json', import.meta.url));

/** Splits whose misclassifications may be listed (`--errors`) or stored in the results file. */
export const INSPECTABLE_SPLITS: readonly RiskSplit[] = ['dev', 'holdout'];

export const USAGE = `usage: npx tsx bench/risk.ts [--errors dev|holdout|all] [--splits dev,holdout,blind] [--rules file.yaml]
       [--model file.json | --no-model] [--blind file.jsonl] [--out results.json]
  --errors   list misclassified messages of one split (blind is refused; "all" = dev + holdout)
  --splits   score only these splits (default: every split whose file exists); rule authors pass dev,holdout
             so that they never score the blind set
  --model    the learned model to combine with the rules (default config/risk-model.json); --no-model: rules only
  --blind    another blind file (default test/fixtures/risk/blind10.jsonl, read only if present)
  --out      where to write the results JSON (default bench/results/risk.json)`;

export interface RiskBenchOptions {
  rulesPath?: string;
  /** A model file; undefined = the default model; false = rules only. */
  model?: string | false;
  errors?: 'dev' | 'holdout' | 'all';
  splits: RiskSplit[];
  blindPath: string;
  outPath: string;
}

export class UsageError extends Error {}

export function parseRiskBenchArgs(argv: string[]): RiskBenchOptions {
  const options: RiskBenchOptions = { splits: [...RISK_SPLITS], blindPath: BLIND_PATH, outPath: RESULTS_PATH };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--rules':
        options.rulesPath = value();
        break;
      case '--model':
        options.model = value();
        break;
      case '--no-model':
        options.model = false;
        break;
      case '--blind':
        options.blindPath = value();
        break;
      case '--out':
        options.outPath = value();
        break;
      case '--errors': {
        const split = value();
        if (split === 'blind') throw new UsageError('--errors blind is refused: the blind set is scored, never inspected (see docs/BENCHMARKS.md "## risk")');
        if (split !== 'dev' && split !== 'holdout' && split !== 'all') throw new UsageError(`--errors takes dev, holdout or all, not "${split}"`);
        options.errors = split;
        break;
      }
      case '--splits': {
        const splits = value().split(',').map((s) => s.trim()).filter(Boolean);
        const unknown = splits.filter((s) => !(RISK_SPLITS as readonly string[]).includes(s));
        if (unknown.length > 0 || splits.length === 0) throw new UsageError(`--splits takes a comma list of ${RISK_SPLITS.join(', ')}`);
        options.splits = splits as RiskSplit[];
        break;
      }
      default:
        throw new UsageError(`unknown argument "${flag}"`);
    }
  }
  return options;
}

const exampleSchema = z.object({
  text: z.string().min(1),
  lang: z.enum(['zh', 'en']),
  categories: z.array(z.string()),
  note: z.string().optional(),
  split: z.enum(RISK_SPLITS),
});

/** Each non-empty line of a JSONL file, parsed by `schema`; an error names the file and line only (a blind line's text must not reach a terminal). */
function readJsonl<T>(path: string, schema: z.ZodType<T>): { row: T; n: number }[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((line, i) => ({ line: line.trim(), n: i + 1 }))
    .filter(({ line }) => line.length > 0)
    .map(({ line, n }) => {
      let raw: unknown;
      try {
        raw = JSON.parse(line);
      } catch {
        throw new Error(`${path}:${n}: not valid JSON`);
      }
      const parsed = schema.safeParse(raw);
      if (!parsed.success) throw new Error(`${path}:${n}: ${parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
      return { row: parsed.data, n };
    });
}

/**
 * Reads one JSONL set. `allowed` pins which splits the file may hold, so a blind example pasted into
 * labelled.jsonl (or a dev example left in a blind file) fails loudly instead of leaking.
 */
export function loadExamples(path: string, allowed: readonly RiskSplit[]): LabelledExample[] {
  return readJsonl(path, exampleSchema).map(({ row, n }) => {
    if (!allowed.includes(row.split)) throw new Error(`${path}:${n}: split "${row.split}" does not belong in this file (allowed: ${allowed.join(', ')})`);
    return row;
  });
}

/**
 * A file about to be folded into labelled.jsonl: a scored blind set or a training batch (`"split": "train"`). Its
 * categories must be ones the rule file defines, so a typo ("refund") cannot enter the set as a new category.
 */
export function loadIncomingExamples(path: string, categories: readonly string[]): LabelledExample[] {
  const schema = exampleSchema.extend({
    split: z.enum([...RISK_SPLITS, 'train']),
    categories: z.array(z.string().refine((c) => categories.includes(c), { message: `unknown category (known: ${categories.join(', ')})` })),
  });
  return readJsonl(path, schema).map(({ row }) => ({ ...row, split: row.split === 'train' ? 'dev' : row.split }));
}

/** Every example of the selected splits: dev and holdout from labelled.jsonl, blind from its own file if present. */
export function loadSelectedExamples(options: Pick<RiskBenchOptions, 'splits' | 'blindPath'>): LabelledExample[] {
  const wanted = new Set(options.splits);
  const labelled = wanted.has('dev') || wanted.has('holdout') ? loadExamples(LABELLED_PATH, INSPECTABLE_SPLITS) : [];
  const blind = wanted.has('blind') && existsSync(options.blindPath) ? loadExamples(options.blindPath, ['blind']) : [];
  return [...labelled, ...blind].filter((e) => wanted.has(e.split));
}

/** The splits whose errors `--errors <choice>` lists; never blind. */
export function splitsToList(choice: RiskBenchOptions['errors']): RiskSplit[] {
  if (choice === undefined) return [];
  return choice === 'all' ? [...INSPECTABLE_SPLITS] : INSPECTABLE_SPLITS.filter((s) => s === choice);
}
