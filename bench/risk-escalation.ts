/**
 * Risk escalation latency: N customers each send one threatening message to the REST channel of a whole platform
 * (embedded PGlite, a local Temporal dev server, the Slack Web API faked on 127.0.0.1); measured from the POST to the
 * risk alert arriving at Slack (chat.postMessage in the risk channel), and to the first re-alert of the ladder.
 * Benign messages from the same number of customers measure the bot's reply latency with the risk check in front.
 *
 *   npx tsx bench/risk-escalation.ts [--conversations 50] [--concurrency 10] [--json]
 *
 * Prints a table (or, with --json, the JSON) and writes bench/results/risk-escalation.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startPlatform, type Platform } from '../cli/runtime/platform.js';
import { loadConfig } from '../core/config.js';
import type { AnswerResult } from '../core/domain.js';
import { createLogger } from '../core/logger.js';
import { startDevServer } from '../core/temporal/dev-server.js';
import type { Answerer } from '../knowledge/answerer.js';
import { startFakeSlackApi, type FakeSlackApi } from '../test/fakes/risk-slack.js';
import { percentile } from './load/verify.js';

const THREATS = [
  '再不处理我就去12315投诉你们',
  'I will report you to the FCC',
  '你们再拖着不解决，我就找律师起诉',
  'If this is not fixed today I will post about it on Twitter',
];
const BENIGN = ['我的快递到哪了', 'How do I reset my password?', '请问营业时间', 'What is your refund policy?'];
const LADDER_FIRST_MS = 2000;

interface Options {
  conversations: number;
  concurrency: number;
  json: boolean;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { conversations: 50, concurrency: 10, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 1) throw new Error(`${a} needs a positive whole number`);
      return v;
    };
    if (a === '--conversations') opts.conversations = value();
    else if (a === '--concurrency') opts.concurrency = value();
    else if (a === '--json') opts.json = true;
    else throw new Error(`unknown option ${a} (--conversations N, --concurrency N, --json)`);
  }
  return opts;
}

// The bench measures the risk path, not the knowledge base: a constant answer.
const answerer: Answerer = {
  async answer(q): Promise<AnswerResult> {
    return { text: `ok: ${q.text}`, citations: [], confidence: 0.9, handoffSuggested: false, intent: null, language: q.language ?? 'en' };
  },
};

async function waitFor<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await check();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
  return undefined;
}

async function pool<T>(items: T[], concurrency: number, run: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await run(item);
  }));
}

async function post(url: string, conversationId: string, text: string): Promise<number> {
  const started = Date.now();
  const res = await fetch(`${url}/v1/conversations/${conversationId}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ customerId: `cust-${conversationId}`, text }),
  });
  if (res.status !== 202) throw new Error(`POST returned ${res.status}`);
  return started;
}

export async function runBench(opts: Options) {
  const dev = await startDevServer({ cliPath: process.env.TEMPORAL_CLI_PATH || undefined, ui: false });
  let slack: FakeSlackApi | undefined;
  let platform: Platform | undefined;
  try {
    slack = await startFakeSlackApi();
    const config = loadConfig({
      KEFU_DATA_DIR: 'memory://',
      KEFU_SEED_DEMO: 'false',
      TEMPORAL_ADDRESS: dev.address,
      TEMPORAL_TASK_QUEUE: 'bench-risk',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'silent',
      SLACK_BOT_TOKEN: 'xoxb-bench',
      SLACK_SIGNING_SECRET: 'bench',
      SLACK_API_URL: slack.apiUrl,
      SLACK_RISK_CHANNEL: 'CRISK',
      RISK_ACK_LADDER: `${LADDER_FIRST_MS}ms:team-lead`,
      RISK_ROLE_CONTACTS: 'team-lead=U0LEAD',
      HANDOFF_QUEUES: 'general,senior',
    });
    platform = await startPlatform(config, createLogger(config), { answerer });
    const url = platform.gatewayUrl as string;
    const s = slack;
    const alertMs: number[] = [];
    const eventMs: number[] = [];
    const openedMs: number[] = [];
    const realertLagMs: number[] = [];
    const replyMs: number[] = [];
    let missedAlerts = 0;
    let missedReplies = 0;
    const benchStarted = Date.now();

    await pool(Array.from({ length: opts.conversations }, (_, i) => i), opts.concurrency, async (i) => {
      const id = `risk-${i}`;
      const started = await post(url, id, THREATS[i % THREATS.length] as string);
      const key = `conv:web:${id}`;
      const alert = await waitFor(() => s.callsOf('chat.postMessage', (a) => !a.thread_ts && JSON.stringify(a.blocks ?? []).includes(key))[0], 30_000);
      if (!alert) {
        missedAlerts += 1;
        return;
      }
      alertMs.push(alert.at - started);
      const esc = await waitFor(async () => {
        const e = (await platform?.store.listRiskEscalations({ conversationKey: key }))?.[0];
        return e?.alertRefs.slack ? e : undefined;
      }, 10_000);
      const event = (await platform?.store.listRiskEvents(key))?.[0];
      if (event) eventMs.push(Date.parse(event.createdAt) - started);
      if (!esc) return;
      openedMs.push(Date.parse(esc.openedAt) - started);
      const ref = esc.alertRefs.slack as { ts: string };
      const realert = await waitFor(() => s.callsOf('chat.postMessage', (a) => a.thread_ts === ref.ts)[0], 30_000);
      // The ladder counts from the escalation's opening; the lag is how late the re-alert reached Slack.
      if (realert) realertLagMs.push(realert.at - Date.parse(esc.openedAt) - LADDER_FIRST_MS);
    });

    await pool(Array.from({ length: opts.conversations }, (_, i) => i), opts.concurrency, async (i) => {
      const id = `calm-${i}`;
      const started = await post(url, id, BENIGN[i % BENIGN.length] as string);
      const replied = await waitFor(async () => {
        const res = await fetch(`${url}/v1/conversations/${id}/messages`);
        const body = (await res.json()) as { messages: { role: string }[] };
        return body.messages.some((m) => m.role === 'bot') ? Date.now() : undefined;
      }, 30_000);
      if (replied === undefined) missedReplies += 1;
      else replyMs.push(replied - started);
    });

    const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
    const a = sorted(alertMs);
    const ev = sorted(eventMs);
    const op = sorted(openedMs);
    const r = sorted(realertLagMs);
    const b = sorted(replyMs);
    return {
      conversations: opts.conversations,
      concurrency: opts.concurrency,
      alerts: alertMs.length,
      missed_alerts: missedAlerts,
      message_to_risk_event_ms: { p50: percentile(ev, 50), p95: percentile(ev, 95) },
      message_to_escalation_opened_ms: { p50: percentile(op, 50), p95: percentile(op, 95) },
      message_to_alert_ms: { p50: percentile(a, 50), p95: percentile(a, 95), max: a.at(-1) ?? null },
      realert_lag_ms: { ladder_ms: LADDER_FIRST_MS, p50: percentile(r, 50), p95: percentile(r, 95), max: r.at(-1) ?? null },
      benign_reply_ms: { replies: replyMs.length, missed: missedReplies, p50: percentile(b, 50), p95: percentile(b, 95) },
      duration_s: Math.round((Date.now() - benchStarted) / 100) / 10,
      node: process.version,
    };
  } finally {
    await platform?.stop();
    await slack?.close();
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
  const report = await runBench(opts);
  const dir = fileURLToPath(new URL('./results', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/risk-escalation.json`, `${JSON.stringify(report, null, 2)}\n`);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } else {
    const rows: [string, string][] = [
      ['conversations (concurrency)', `${report.conversations} (${report.concurrency})`],
      ['alerts received / missed', `${report.alerts} / ${report.missed_alerts}`],
      ['message → risk event stored p50 / p95', `${report.message_to_risk_event_ms.p50} / ${report.message_to_risk_event_ms.p95} ms`],
      ['message → escalation opened p50 / p95', `${report.message_to_escalation_opened_ms.p50} / ${report.message_to_escalation_opened_ms.p95} ms`],
      ['message → Slack alert p50 / p95 / max', `${report.message_to_alert_ms.p50} / ${report.message_to_alert_ms.p95} / ${report.message_to_alert_ms.max} ms`],
      [`re-alert lag after the ${LADDER_FIRST_MS} ms rung p50 / p95`, `${report.realert_lag_ms.p50} / ${report.realert_lag_ms.p95} ms`],
      ['benign message → bot reply p50 / p95', `${report.benign_reply_ms.p50} / ${report.benign_reply_ms.p95} ms (${report.benign_reply_ms.missed} missed)`],
    ];
    const w = Math.max(...rows.map(([k]) => k.length));
    process.stdout.write(`${rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n')}\n`);
  }
  process.exitCode = report.missed_alerts === 0 && report.benign_reply_ms.missed === 0 ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: unknown) => {
    process.stderr.write(`bench risk-escalation failed: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
