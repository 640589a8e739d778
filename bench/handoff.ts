/**
 * Handoff latency through a whole platform (embedded PGlite, a local Temporal dev server, the Slack Web API faked on
 * 127.0.0.1, Slack's requests signed as Slack signs them):
 *   - trigger → card: from the customer's "人工" POST to the card's chat.postMessage arriving at Slack;
 *   - claim → card updated: from the signed Claim click to chat.update;
 *   - agent → customer: from the signed thread-reply event to the reply stored for the customer (web channel);
 *   - customer → agent: from the customer's POST to the thread post arriving at Slack.
 *
 *   npx tsx bench/handoff.ts [--handoffs 30] [--messages 5] [--concurrency 5] [--json]
 *
 * Prints a table (or, with --json, the JSON) and writes bench/results/handoff.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { startPlatform, type Platform } from '../cli/runtime/platform.js';
import { DESK_ACTIONS } from '../bots/agent-desk.js';
import { loadConfig } from '../core/config.js';
import { conversationKey, type AnswerResult } from '../core/domain.js';
import { createLogger } from '../core/logger.js';
import { startDevServer } from '../core/temporal/dev-server.js';
import type { Answerer } from '../knowledge/answerer.js';
import { messageText, startFakeSlackApi, type FakeSlackApi } from '../test/fakes/slack-api.js';
import { blockAction, messageEvent, postToSlackEndpoint } from '../test/helpers/slack.js';

const SECRET = 'bench-signing-secret';
const AGENT = 'UBENCHAGENT';

interface Options {
  handoffs: number;
  messages: number;
  concurrency: number;
  json: boolean;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { handoffs: 30, messages: 5, concurrency: 5, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 1) throw new Error(`${a} needs a positive whole number`);
      return v;
    };
    if (a === '--handoffs') opts.handoffs = value();
    else if (a === '--messages') opts.messages = value();
    else if (a === '--concurrency') opts.concurrency = value();
    else if (a === '--json') opts.json = true;
    else throw new Error(`unknown option ${a} (--handoffs N, --messages N, --concurrency N, --json)`);
  }
  return opts;
}

// The bench measures the handoff path, not the knowledge base: constant answers (and suggestions).
const answerer: Answerer = {
  async answer(q): Promise<AnswerResult> {
    return { text: `ok: ${q.text}`, citations: [], confidence: 0.9, handoffSuggested: false, intent: null, language: q.language ?? 'zh' };
  },
};

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const percentile = (s: number[], p: number) => (s.length === 0 ? null : (s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] as number));
const stats = (xs: number[]) => {
  const s = sorted(xs);
  return { n: s.length, p50: percentile(s, 50), p95: percentile(s, 95), max: s.at(-1) ?? null };
};

async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function pool<T>(items: T[], concurrency: number, run: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await run(item);
  }));
}

async function oneHandoff(p: Platform, slack: FakeSlackApi, i: number, opts: Options, m: Record<string, number[]>) {
  const url = p.gatewayUrl as string;
  const conv = `bench-${i}-${Date.now()}`;
  const key = conversationKey('web', conv);
  const post = (text: string) =>
    fetch(`${url}/v1/conversations/${conv}/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ customerId: `c-${i}`, text }) });

  const t0 = Date.now();
  await post('人工');
  const h = await waitFor(async () => (await p.store.listHandoffs({})).find((x) => x.conversationKey === key));
  const card = await slack.waitFor('chat.postMessage', (c) => !c.args.thread_ts && messageText(c).includes(`"value":"${h.id}"`));
  m.triggerToCard?.push(card.at - t0);
  const channel = String(card.result.channel);
  const ts = String(card.result.ts);

  const tClaim = Date.now();
  await postToSlackEndpoint(url, SECRET, blockAction({ user: AGENT, channel, messageTs: ts, actionId: DESK_ACTIONS.claim, value: h.id }));
  const updated = await slack.waitFor('chat.update', (c) => c.args.ts === ts && messageText(c).includes('claimed by'));
  m.claimToCardUpdate?.push(updated.at - tClaim);

  for (let j = 0; j < opts.messages; j++) {
    const agentText = `agent ${i}.${j}`;
    const tAgent = Date.now();
    await postToSlackEndpoint(url, SECRET, messageEvent({ channel, user: AGENT, text: agentText, ts: `1900000000.${String(i * 1000 + j).padStart(6, '0')}`, threadTs: ts }));
    const stored = await waitFor(async () => (await p.store.listMessages(key)).find((x) => x.role === 'agent' && x.text === agentText));
    m.agentToCustomer?.push(Date.parse(stored.createdAt) - tAgent);

    const customerText = `customer ${i}.${j}`;
    const tCustomer = Date.now();
    await post(customerText);
    const threadPost = await slack.waitFor('chat.postMessage', (c) => c.args.thread_ts === ts && String(c.args.text).startsWith('👤') && String(c.args.text).includes(customerText));
    m.customerToAgent?.push(threadPost.at - tCustomer);
  }
  await postToSlackEndpoint(url, SECRET, blockAction({ user: AGENT, channel, messageTs: ts, actionId: DESK_ACTIONS.resolve, value: h.id }));
  await p.temporal.client.workflow.getHandle(key).result();
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const dev = await startDevServer({ cliPath: process.env.TEMPORAL_CLI_PATH || undefined, ui: false });
  const slack = await startFakeSlackApi({ users: [{ id: AGENT, name: 'bench', displayName: 'Bench Agent' }] });
  let platform: Platform | undefined;
  try {
    const config = loadConfig({
      KEFU_DATA_DIR: 'memory://',
      KEFU_SEED_DEMO: 'false',
      KEFU_SCHEDULES: 'false',
      TEMPORAL_ADDRESS: dev.address,
      TEMPORAL_TASK_QUEUE: 'bench-handoff',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'silent',
      SLACK_BOT_TOKEN: 'xoxb-bench',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: slack.url,
      HANDOFF_ALERT_AFTER: '1h',
      HANDOFF_ESCALATE_AFTER: '1h',
      HANDOFF_QUEUE_UPDATE_EVERY: '1h',
      HANDOFF_AGENT_IDLE_REMINDER: '1h',
    });
    platform = await startPlatform(config, createLogger(config), { answerer });
    const p = platform;
    const m: Record<string, number[]> = { triggerToCard: [], claimToCardUpdate: [], agentToCustomer: [], customerToAgent: [] };
    // One warm-up handoff (workflow code cache, first queries) is not measured.
    await oneHandoff(p, slack, -1, { ...opts, messages: 1 }, { triggerToCard: [], claimToCardUpdate: [], agentToCustomer: [], customerToAgent: [] });
    const started = Date.now();
    await pool(Array.from({ length: opts.handoffs }, (_, i) => i), opts.concurrency, (i) => oneHandoff(p, slack, i, opts, m));
    const result = {
      handoffs: opts.handoffs,
      messagesEachWay: opts.messages,
      concurrency: opts.concurrency,
      node: process.version,
      cpus: os.cpus().length,
      duration_s: Math.round((Date.now() - started) / 100) / 10,
      trigger_to_card_ms: stats(m.triggerToCard as number[]),
      claim_to_card_update_ms: stats(m.claimToCardUpdate as number[]),
      agent_to_customer_ms: stats(m.agentToCustomer as number[]),
      customer_to_agent_ms: stats(m.customerToAgent as number[]),
    };
    const out = fileURLToPath(new URL('./results/handoff.json', import.meta.url));
    mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    const row = (name: string, s: ReturnType<typeof stats>) => `| ${name.padEnd(24)} | ${String(s.n).padStart(4)} | ${String(s.p50).padStart(6)} | ${String(s.p95).padStart(6)} | ${String(s.max).padStart(6)} |`;
    process.stdout.write([
      `handoff latency — ${opts.handoffs} handoffs, ${opts.messages} messages each way, concurrency ${opts.concurrency}, ${result.duration_s} s`,
      '| path                     |    n | p50 ms | p95 ms | max ms |',
      '| ------------------------ | ---: | -----: | -----: | -----: |',
      row('trigger → card', result.trigger_to_card_ms),
      row('claim → card updated', result.claim_to_card_update_ms),
      row('agent → customer', result.agent_to_customer_ms),
      row('customer → agent', result.customer_to_agent_ms),
      `written to ${out}`,
      '',
    ].join('\n'));
  } finally {
    await platform?.stop();
    await slack.close();
    await dev.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`bench/handoff: ${(err as Error).message}\n`);
  process.exit(1);
});
