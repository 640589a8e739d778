/**
 * QA benchmark.
 *  1. Rule-only scoring throughput: `scoreTranscript` with config/qa-scorecard.yaml and no LLM judge, in process, over
 *     the conversation shapes of test/fixtures/qa/seed-week.ts (zh/en, bot-only and handed off): conversations/s.
 *     Also the whole per-close activity (`scoreClose`: load messages from embedded PGlite, score, store result and
 *     findings) one close after another.
 *  2. Close → stored score through the real workflow: N conversations on a whole platform (embedded PGlite, a local
 *     Temporal dev server), each closed with the close signal; measured from sending the signal to the result's
 *     `scored_at` in the database (p50/p95/max).
 *
 *   npx tsx bench/qa.ts [--transcripts 3000] [--closes 200] [--conversations 40] [--concurrency 8] [--json]
 *
 * Prints a table (or, with --json, the JSON) and writes bench/results/qa.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { localQaDeps } from '../activities/qa/deps.js';
import { scoreTranscript, type Transcript } from '../analysis/qa/score.js';
import { DEFAULT_SCORECARD_PATH, loadScorecard } from '../analysis/qa/scorecard.js';
import { startPlatform, type Platform } from '../cli/runtime/platform.js';
import { loadConfig } from '../core/config.js';
import { openDatabase } from '../core/db/open.js';
import type { AnswerResult } from '../core/domain.js';
import { createLogger } from '../core/logger.js';
import { createStore } from '../core/store/index.js';
import { startDevServer } from '../core/temporal/dev-server.js';
import type { Answerer } from '../knowledge/answerer.js';
import { AGENTS, seedConversation, TEMPLATES, type TemplateName } from '../test/fixtures/qa/seed-week.js';
import { percentile } from './load/verify.js';

interface Options {
  transcripts: number;
  closes: number;
  conversations: number;
  concurrency: number;
  json: boolean;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { transcripts: 3000, closes: 200, conversations: 40, concurrency: 8, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 1) throw new Error(`${a} needs a positive whole number`);
      return v;
    };
    if (a === '--transcripts') opts.transcripts = value();
    else if (a === '--closes') opts.closes = value();
    else if (a === '--conversations') opts.conversations = value();
    else if (a === '--concurrency') opts.concurrency = value();
    else if (a === '--json') opts.json = true;
    else throw new Error(`unknown option ${a} (--transcripts N, --closes N, --conversations N, --concurrency N, --json)`);
  }
  return opts;
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
/** Nearest-rank percentile of sorted values, unrounded (sub-millisecond timings need more than one decimal). */
const rank = (s: number[], p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? 0;

/** The fixture shapes as transcripts with times, repeated with a little variety in the texts and delays. */
function transcripts(n: number): Transcript[] {
  const names = Object.keys(TEMPLATES) as TemplateName[];
  return Array.from({ length: n }, (_, i) => {
    const { channel, lines } = TEMPLATES[names[i % names.length] as TemplateName] as (typeof TEMPLATES)[string];
    let at = Date.parse('2026-01-05T09:00:00Z') + i * 60_000;
    return {
      channel,
      messages: lines.map((l) => {
        at += (l.after + (i % 7)) * 1000;
        return { role: l.role, text: `${l.text}${i % 3 === 0 ? '' : ` (#${i})`}`, at: new Date(at).toISOString(), ...(l.agent ? { agent: AGENTS[l.agent].name } : {}) };
      }),
    };
  });
}

async function ruleThroughput(n: number) {
  const scorecard = await loadScorecard(DEFAULT_SCORECARD_PATH);
  const items = transcripts(n);
  for (const t of items.slice(0, 200)) await scoreTranscript(t, scorecard); // warm-up: JIT, phrase matchers
  const perConversation: number[] = [];
  const started = performance.now();
  for (const t of items) {
    const t0 = performance.now();
    await scoreTranscript(t, scorecard);
    perConversation.push(performance.now() - t0);
  }
  const seconds = (performance.now() - started) / 1000;
  const s = sorted(perConversation);
  return {
    transcripts: n,
    criteria: scorecard.criteria.length,
    conversations_per_s: Math.round(n / seconds),
    per_conversation_ms: { p50: round(rank(s, 50), 3), p95: round(rank(s, 95), 3), max: round(s.at(-1) ?? 0, 2) },
  };
}

/** scoreClose on embedded PGlite: what one QA activity does per close, minus Temporal. */
async function activityThroughput(n: number) {
  const db = await openDatabase({ DATABASE_URL: undefined, DATABASE_SCHEMA: 'public', DATABASE_POOL_MAX: 1, KEFU_DATA_DIR: 'memory://' });
  try {
    const deps = localQaDeps(createStore(db));
    const names = Object.keys(TEMPLATES) as TemplateName[];
    const seeded = [];
    for (let i = 0; i < n; i += 1) {
      seeded.push(await seedConversation(deps, names[i % names.length] as TemplateName, new Date(Date.now() - 3_600_000), `bench-${i}`, { score: false }));
    }
    const { scoreClose } = await import('../activities/qa/scoring.js');
    const started = performance.now();
    for (const s of seeded) await scoreClose(deps, { conversationKey: s.conversationKey, closeSeq: s.closeSeq, workflowId: 'bench' });
    const seconds = (performance.now() - started) / 1000;
    return { closes: n, database: 'PGlite (embedded, in memory)', closes_per_s: round(n / seconds) };
  } finally {
    await db.close();
  }
}

// The bench measures QA, not the knowledge base: a constant, rule-friendly answer.
const answerer: Answerer = {
  async answer(q): Promise<AnswerResult> {
    return {
      text: 'Hello! Here is how to do it. Is there anything else I can help with? Thank you for contacting us!',
      citations: [],
      confidence: 0.9,
      handoffSuggested: false,
      intent: null,
      language: q.language ?? 'en',
    };
  },
};

async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await check();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  return undefined;
}

async function pool<T>(items: T[], concurrency: number, run: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await run(item);
  }));
}

async function closeToScore(opts: Options) {
  const dev = await startDevServer({ cliPath: process.env.TEMPORAL_CLI_PATH || undefined, ui: false });
  let platform: Platform | undefined;
  try {
    const config = loadConfig({
      KEFU_DATA_DIR: 'memory://',
      KEFU_SEED_DEMO: 'false',
      KEFU_SCHEDULES: 'false',
      TEMPORAL_ADDRESS: dev.address,
      TEMPORAL_TASK_QUEUE: 'bench-qa',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'silent',
    });
    platform = await startPlatform(config, createLogger(config), { answerer });
    const p = platform;
    const url = p.gatewayUrl as string;
    const latencies: number[] = [];
    let missed = 0;
    const started = Date.now();
    await pool(Array.from({ length: opts.conversations }, (_, i) => i), opts.concurrency, async (i) => {
      const id = `qa-bench-${i}`;
      const key = `conv:web:${id}`;
      const res = await fetch(`${url}/v1/conversations/${id}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ customerId: `cust-${i}`, text: i % 2 ? '怎么修改密码？' : 'How do I change my password?' }),
      });
      if (res.status !== 202) throw new Error(`POST returned ${res.status}`);
      const replied = await waitFor(async () => ((await p.store.listMessages(key)).some((m) => m.role === 'bot') ? true : undefined), 30_000);
      if (!replied) {
        missed += 1;
        return;
      }
      const signalledAt = Date.now();
      await p.temporal.client.workflow.getHandle(key).signal('close', { reason: 'resolved' });
      const result = await waitFor(async () => (await p.store.getQaResultByClose(key, 1)) ?? undefined, 60_000);
      if (!result) missed += 1;
      else latencies.push(Date.parse(result.scoredAt) - signalledAt);
    });
    const s = sorted(latencies);
    return {
      conversations: opts.conversations,
      concurrency: opts.concurrency,
      scored: latencies.length,
      missed,
      close_to_stored_score_ms: { p50: percentile(s, 50), p95: percentile(s, 95), max: s.at(-1) ?? null },
      duration_s: round((Date.now() - started) / 1000),
    };
  } finally {
    await platform?.stop();
    await dev.stop();
  }
}

async function main(): Promise<void> {
  let opts: Options;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  const rules = await ruleThroughput(opts.transcripts);
  const activity = await activityThroughput(opts.closes);
  const workflow = await closeToScore(opts);
  const machine = { cpus: cpus().length, load_average_1m: round(loadavg()[0] ?? 0, 2) };
  const report = { rule_scoring: rules, score_close_activity: activity, workflow, machine, node: process.version, measured_at: new Date().toISOString() };
  const dir = fileURLToPath(new URL('./results', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/qa.json`, `${JSON.stringify(report, null, 2)}\n`);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return;
  }
  const w = workflow.close_to_stored_score_ms;
  const rows: [string, string][] = [
    ['rule-only scoring (scoreTranscript, in process)', `${rules.conversations_per_s} conversations/s over ${rules.transcripts} (${rules.criteria} criteria)`],
    ['  per conversation', `p50 ${rules.per_conversation_ms.p50} ms · p95 ${rules.per_conversation_ms.p95} ms · max ${rules.per_conversation_ms.max} ms`],
    ['scoreClose activity (load + score + store)', `${activity.closes_per_s} closes/s over ${activity.closes} (${activity.database})`],
    ['close signal → stored score (real workflow)', `p50 ${w.p50} ms · p95 ${w.p95} ms · max ${w.max} ms`],
    ['  conversations', `${workflow.scored} scored, ${workflow.missed} missed, concurrency ${workflow.concurrency}, ${workflow.duration_s} s`],
    ['machine', `${machine.cpus} CPUs, 1-minute load average ${machine.load_average_1m} at the end`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  process.stdout.write(`${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\nwrote bench/results/qa.json\n`);
}

await main();
