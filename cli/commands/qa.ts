import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { loadConfig } from '../../core/config.js';
import { configuredJudge } from '../../analysis/qa/configured-judge.js';
import type { Judge } from '../../analysis/qa/judge.js';
import { DEFAULT_SCORECARD_PATH, loadScorecard, type Scorecard } from '../../analysis/qa/scorecard.js';
import { scoreTranscript } from '../../analysis/qa/score.js';
import { describeTranscriptIssues, transcriptSchema, type Transcript } from '../../analysis/qa/transcript.js';
import { parseDuration } from '../../core/duration.js';
import { UsageError } from '../errors.js';
import { withStore } from '../with-store.js';

/**
 * `kefu qa …`: post-conversation quality assurance. Each subcommand registers itself on the `qa` group below;
 * the helpers (reading transcripts, building the judge) are shared so `qa report` can reuse them.
 */
export function register(program: Command): void {
  const qa = program
    .command('qa')
    .description('post-conversation quality assurance against the QA scorecard (config/qa-scorecard.yaml)');
  registerScore(qa);
  registerReport(qa);
  registerCoverage(qa);
}

interface ScoreOptions {
  scorecard?: string;
  knowledge?: string;
  judge: boolean;
}

function registerScore(qa: Command): void {
  qa.command('score')
    .description('score one conversation; prints {"score", "passed", "findings", …} as JSON')
    .argument('<transcript>', 'transcript JSON file ({"channel", "language"?, "messages": [{"role", "text", "at"?, "agent"?}]}), or - for stdin')
    .option('--scorecard <file>', 'scorecard YAML (default: config/qa-scorecard.yaml of this installation)')
    .option('--knowledge <file>', 'knowledge-base excerpts for the accuracy criterion: JSON array of strings, or text with excerpts separated by blank lines')
    .option('--no-judge', 'skip LLM-judged criteria (reported unjudged) even when an LLM is configured')
    .action(async (file: string, opts: ScoreOptions) => {
      const transcript = await readTranscript(file);
      const scorecard = await loadScorecard(opts.scorecard ?? DEFAULT_SCORECARD_PATH);
      const knowledge = opts.knowledge ? await readKnowledge(opts.knowledge) : [];
      const judge = opts.judge ? buildJudge(scorecard) : undefined;
      const result = await scoreTranscript(transcript, scorecard, { judge, knowledge });
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    });
}

async function readText(file: string, what: string): Promise<string> {
  try {
    if (file === '-') {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    }
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

export async function readTranscript(file: string): Promise<Transcript> {
  const source = file === '-' ? 'stdin' : file;
  const text = await readText(file, 'transcript');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${source} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = transcriptSchema.safeParse(json);
  if (!parsed.success) throw new Error(describeTranscriptIssues(parsed.error, source));
  return parsed.data;
}

export async function readKnowledge(file: string): Promise<string[]> {
  const text = await readText(file, 'knowledge file');
  if (file.endsWith('.json')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new Error(`${file} is not valid JSON: ${(err as Error).message}`);
    }
    if (!Array.isArray(json) || !json.every((k): k is string => typeof k === 'string')) {
      throw new Error(`${file} must be a JSON array of strings`);
    }
    return json.filter((k) => k.trim() !== '');
  }
  return text.split(/\n\s*\n/).map((k) => k.trim()).filter(Boolean);
}

/** A judge when an LLM is configured (OPENAI_API_KEY or OPENAI_BASE_URL), none otherwise. */
export function buildJudge(scorecard: Scorecard, env: NodeJS.ProcessEnv = process.env): Judge | undefined {
  return configuredJudge(scorecard, loadConfig(env));
}

interface PeriodOptions {
  since: string;
  until?: string;
  json?: boolean;
}

/** `--since 7d [--until <date>]` → the period ending at --until (default now). */
function periodFrom(opts: PeriodOptions) {
  let length: number;
  try {
    length = parseDuration(opts.since);
  } catch (err) {
    throw new UsageError(`--since: ${(err as Error).message}`);
  }
  if (length <= 0) throw new UsageError('--since must be longer than 0');
  const until = opts.until === undefined ? new Date() : new Date(opts.until);
  if (Number.isNaN(until.getTime())) throw new UsageError(`--until: "${opts.until}" is not a date (use e.g. 2026-11-24 or 2026-11-24T09:00:00Z)`);
  return { since: new Date(until.getTime() - length).toISOString(), until: until.toISOString() };
}


function registerReport(qa: Command): void {
  qa.command('report')
    .description('QA report from the database: coverage, scores by agent and criterion, top failure reasons, change vs the period before')
    .option('--since <duration>', 'length of the period, ending now (or at --until): 7d, 24h, 30d', '7d')
    .option('--until <date>', 'end of the period (ISO date or date-time; default now)')
    .option('--json', 'print the report as JSON instead of tables')
    .action(async (opts: PeriodOptions) => {
      const period = periodFrom(opts);
      const { buildQaReport } = await import('../../activities/qa/report.js');
      const { renderQaReportText } = await import('../../activities/qa/report-text.js');
      const report = await withStore((store) => buildQaReport(store, period));
      process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderQaReportText(report)}\n`);
    });
}

function registerCoverage(qa: Command): void {
  qa.command('coverage')
    .description('closed conversations vs scored ones over a period, with the closes not scored yet')
    .option('--since <duration>', 'length of the period, ending now (or at --until)', '7d')
    .option('--until <date>', 'end of the period (default now)')
    .option('--json', 'print JSON')
    .action(async (opts: PeriodOptions) => {
      const period = periodFrom(opts);
      const coverage = await withStore((store) => store.qaCoverage(period, 1000));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ period, ...coverage }, null, 2)}\n`);
        return;
      }
      const lines = [
        `${period.since} → ${period.until}`,
        `closed ${coverage.closed} · scored ${coverage.scored} · skipped ${coverage.skipped} (nothing to score) · coverage ${(coverage.rate * 100).toFixed(1)}%`,
        ...coverage.missing.map((m) => `not scored: ${m.conversationKey} close #${m.closeSeq} at ${m.closedAt}`),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
