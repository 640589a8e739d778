import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { loadConfig } from '../../core/config.js';
import { createChatOpenAIJudgeModel, createLlmJudge, type Judge } from '../../analysis/qa/judge.js';
import { DEFAULT_SCORECARD_PATH, loadScorecard, type Scorecard } from '../../analysis/qa/scorecard.js';
import { scoreTranscript } from '../../analysis/qa/score.js';
import { describeTranscriptIssues, transcriptSchema, type Transcript } from '../../analysis/qa/transcript.js';

/**
 * `kefu qa …`: post-conversation quality assurance. Each subcommand registers itself on the `qa` group below;
 * the helpers (reading transcripts, building the judge) are shared so `qa report` can reuse them.
 */
export function register(program: Command): void {
  const qa = program
    .command('qa')
    .description('post-conversation quality assurance against the QA scorecard (config/qa-scorecard.yaml)');
  registerScore(qa);
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
  const config = loadConfig(env);
  if (!config.OPENAI_API_KEY && !config.OPENAI_BASE_URL) return undefined;
  const model = createChatOpenAIJudgeModel({
    model: scorecard.judge.model ?? config.LLM_MODEL,
    apiKey: config.OPENAI_API_KEY,
    baseURL: config.OPENAI_BASE_URL,
    temperature: scorecard.judge.temperature,
    timeoutMs: config.LLM_TIMEOUT,
  });
  return createLlmJudge(model, { method: scorecard.judge.method, maxAttempts: scorecard.judge.maxAttempts });
}
