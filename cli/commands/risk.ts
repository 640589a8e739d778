import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { z } from 'zod';
import { createRiskDetector } from '../../analysis/risk/detector.js';
import { DEFAULT_RISK_RULES_PATH, loadRiskRules, RiskRulesError, type RiskRules } from '../../analysis/risk/rules.js';
import type { RiskDetector } from '../../analysis/risk/types.js';
import { UsageError } from '../errors.js';

/**
 * `kefu risk …`: the offline risk detector (config/risk-rules.yaml). `classify` is a filter —
 * JSON lines in, JSON lines out — so it can sit in a shell pipeline over exported conversations.
 */
export function register(program: Command): void {
  const risk = program.command('risk').description('offline, explainable risk detection (config/risk-rules.yaml)');
  registerClassify(risk);
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
  signals: boolean;
}

function registerClassify(risk: Command): void {
  risk
    .command('classify')
    .description('read JSON lines {"text", "context"?} on stdin, write one {"text", "categories", "severity", "evidence"} line per input')
    .option('--rules <file>', 'risk rules YAML (default: config/risk-rules.yaml of this installation)')
    .option('--signals', 'also output "signals" (normalised text, suppressed hits, severity breakdown)', false)
    .action(async (opts: ClassifyOptions) => {
      const detector = createRiskDetector(loadRules(opts.rules ?? DEFAULT_RISK_RULES_PATH));
      const badLines = await classifyLines(detector, opts.signals);
      // Every good line was still answered; the exit code tells a script that some were not.
      if (badLines > 0) {
        process.stderr.write(`kefu risk classify: ${badLines} line(s) could not be classified\n`);
        process.exitCode = 1;
      }
    });
}

function loadRules(path: string): RiskRules {
  try {
    return loadRiskRules(path);
  } catch (error) {
    if (error instanceof RiskRulesError) throw new UsageError(error.message);
    throw error;
  }
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
