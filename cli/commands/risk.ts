import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { z } from 'zod';
import { loadRiskDetector } from '../../analysis/risk/load.js';
import { RiskModelError } from '../../analysis/risk/model/model-file.js';
import { trainRiskModelToFile } from '../../analysis/risk/model/run-training.js';
import { RiskRulesError } from '../../analysis/risk/rules.js';
import type { RiskDetector } from '../../analysis/risk/types.js';
import { parseDuration } from '../../core/duration.js';
import type { RiskFeedback } from '../../core/store/index.js';
import { UsageError } from '../errors.js';
import { withStore } from '../with-store.js';

/**
 * `kefu risk …`: the offline risk detector (config/risk-rules.yaml + the learned config/risk-model.json). `classify` is a filter —
 * JSON lines in, JSON lines out — so it can sit in a shell pipeline over exported conversations.
 */
export function register(program: Command): void {
  const risk = program.command('risk').description('offline, explainable risk detection (config/risk-rules.yaml)');
  registerClassify(risk);
  registerTrain(risk);
  registerFeedback(risk);
}

/** One input line. `context` is optional and only moves severity, never the categories. */
const inputLineSchema = z.object({
  text: z.string(),
  context: z
    .object({
      priorCategories: z.array(z.string()).optional(),
      valueTier: z.string().optional(),
      sentimentTrend: z.number().min(-1).max(1).optional(),
    })
    .optional(),
});

interface ClassifyOptions {
  rules?: string;
  /** A model file, or false with --no-model (rules only). */
  model: string | boolean;
  signals: boolean;
}

function registerClassify(risk: Command): void {
  risk
    .command('classify')
    .description('read JSON lines {"text", "context"?} on stdin, write one {"text", "categories", "severity", "evidence"} line per input')
    .option('--rules <file>', 'risk rules YAML (default: config/risk-rules.yaml of this installation)')
    .option('--model <file>', 'learned risk model (default: config/risk-model.json of this installation)')
    .option('--no-model', 'rules only, without the learned model')
    .option('--signals', 'also output "signals" (normalised text, suppressed hits, severity breakdown)', false)
    .action(async (opts: ClassifyOptions) => {
      const detector = loadDetector(opts);
      const badLines = await classifyLines(detector, opts.signals);
      // Every good line was still answered; the exit code tells a script that some were not.
      if (badLines > 0) {
        process.stderr.write(`kefu risk classify: ${badLines} line(s) could not be classified\n`);
        process.exitCode = 1;
      }
    });
}

function loadDetector(opts: ClassifyOptions): RiskDetector {
  try {
    return loadRiskDetector({ rulesPath: opts.rules, modelEnabled: opts.model !== false, modelPath: typeof opts.model === 'string' ? opts.model : undefined });
  } catch (error) {
    if (error instanceof RiskRulesError || error instanceof RiskModelError) throw new UsageError(error.message);
    throw error;
  }
}

interface TrainOptions {
  out?: string;
  data?: string;
  rules?: string;
}

/** `kefu risk train`: retrain config/risk-model.json from the dev split of the labelled set (deterministic). */
function registerTrain(risk: Command): void {
  risk
    .command('train')
    .description('train the learned risk model on the dev split of the labelled set and write config/risk-model.json')
    .option('--out <file>', 'where to write the model (default: config/risk-model.json of this installation)')
    .option('--data <file>', 'labelled JSONL; only its "dev" split is trained on (default: test/fixtures/risk/labelled.jsonl)')
    .option('--rules <file>', 'risk rules YAML the model is combined with (default: config/risk-rules.yaml)')
    .action((opts: TrainOptions) => {
      let result;
      try {
        result = trainRiskModelToFile(opts);
      } catch (error) {
        if (error instanceof RiskRulesError) throw new UsageError(error.message);
        throw error;
      }
      for (const line of result.lines) process.stdout.write(`${line}\n`);
    });
}

async function classifyLines(detector: RiskDetector, withSignals: boolean): Promise<number> {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let lineNumber = 0;
  let badLines = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    const problem = (message: string) => {
      badLines++;
      process.stderr.write(`kefu risk classify: line ${lineNumber}: ${message}\n`);
    };
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (error) {
      problem(`not valid JSON (${error instanceof Error ? error.message : String(error)})`);
      continue;
    }
    const parsed = inputLineSchema.safeParse(json);
    if (!parsed.success) {
      problem(parsed.error.issues.map((i) => `${i.path.join('.') || 'line'}: ${i.message}`).join('; '));
      continue;
    }
    const { text, context } = parsed.data;
    const result = detector.classify(text, context);
    const output = { text, categories: result.categories, severity: result.severity, evidence: result.evidence, ...(withSignals ? { signals: result.signals } : {}) };
    process.stdout.write(`${JSON.stringify(output)}\n`);
  }
  return badLines;
}

interface FeedbackOptions {
  since: string;
  json: boolean;
}

/**
 * `kefu risk feedback`: the false positives people reported on risk alerts, one per message, for rule tuning.
 * `--json` writes JSON lines that `kefu risk classify --signals` reads back directly (each line has "text").
 * With the embedded database (no DATABASE_URL) stop `kefu start` first: PGlite belongs to one process.
 */
function registerFeedback(risk: Command): void {
  risk
    .command('feedback')
    .description('export false-positive feedback on risk alerts (text, categories, who, note) for rule tuning')
    .option('--since <duration>', 'how far back, e.g. 7d, 30d, 12h', '30d')
    .option('--json', 'one JSON object per line instead of a table', false)
    .action(async (opts: FeedbackOptions) => {
      let sinceMs: number;
      try {
        sinceMs = parseDuration(opts.since);
      } catch (error) {
        throw new UsageError(`--since: ${(error as Error).message}`);
      }
      const rows = await withStore((store) => store.listRiskFeedback({ since: new Date(Date.now() - sinceMs) }));
      process.stdout.write(opts.json ? rows.map((r) => `${JSON.stringify(feedbackLine(r))}\n`).join('') : feedbackTable(rows));
    });
}

const feedbackLine = (r: RiskFeedback) => ({
  text: r.text,
  category: r.category,
  categories: r.categories,
  severity: r.severity,
  evidence: r.evidence,
  actor: r.actor,
  note: r.note,
  escalationId: r.escalationId,
  createdAt: r.createdAt,
});

function feedbackTable(rows: RiskFeedback[]): string {
  if (rows.length === 0) return 'no false-positive feedback in this period\n';
  const clip = (t: string, n: number) => (t.length > n ? `${t.slice(0, n - 1)}…` : t).replace(/\s+/g, ' ');
  const lines = rows.map((r) => [r.createdAt.slice(0, 16).replace('T', ' '), r.category, r.severity, clip(r.actor, 20), clip(r.text, 60), clip(r.note ?? '', 40)]);
  const header = ['when (UTC)', 'category', 'severity', 'by', 'text', 'note'];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)));
  const render = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ').trimEnd();
  return `${[render(header), ...lines.map(render)].join('\n')}\n${rows.length} false positive(s)\n`;
}
