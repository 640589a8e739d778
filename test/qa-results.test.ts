import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, LogLevel } from '@slack/bolt';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localQaDeps, type QaDeps } from '../activities/qa/deps.js';
import { createQaActivities } from '../activities/qa/index.js';
import { createQaService } from '../activities/qa/service.js';
import { registerQaSlackActions } from '../activities/qa/slack-actions.js';
import { createSlackQaSink } from '../activities/qa/slack-sink.js';
import { scoreClose } from '../activities/qa/scoring.js';
import { loadConfig } from '../core/config.js';
import { openDatabase } from '../core/db/open.js';
import type { Db } from '../core/db/types.js';
import { createStore, type Store } from '../core/store/index.js';
import { startFakeSlackApi, type FakeSlackApi } from './fakes/risk-slack.js';
import { AGENTS, seedConversation, seedQaWeeks } from './fixtures/qa/seed-week.js';
import { DATABASES, openTestDatabase } from './helpers/databases.js';
import { runKefu } from './helpers/kefu-cli.js';
import { registerQaRoutes } from '../bots/qa/routes.js';
import { configuredJudge } from '../analysis/qa/configured-judge.js';
import { promptText, startFakeOpenAI } from './fakes/openai-server.js';
import { installErrorHandling } from '../bots/http-errors.js';
import { testAccess } from './helpers/access.js';

const HOUR = 3_600_000;

describe.each(DATABASES)('QA storage on %s', (kind) => {
  let db: Db;
  let store: Store;
  let deps: QaDeps;

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    store = createStore(db);
    deps = localQaDeps(store);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('when a close is reported again by the same run, then it is one close; the next run gets the next number and only its messages', async () => {
    const seeded = await seedConversation(deps, 'bot_good_en', new Date(Date.now() - 2 * HOUR), `s-${randomUUID()}`, { score: false });
    const close = await store.getQaClose(seeded.conversationKey, 1);
    expect(await store.recordQaClose({ conversationKey: seeded.conversationKey, runId: close!.runId, reason: 'again' })).toEqual(close);
    expect((await store.listQaCloseMessages(close!)).map((m) => m.role)).toEqual(['customer', 'bot', 'customer', 'bot']);

    // Reopened: one more customer message and reply, closed by another run.
    const conversation = await store.getConversation(seeded.conversationKey);
    for (const [i, role] of (['customer', 'bot'] as const).entries()) {
      await store.insertMessage({ conversationKey: seeded.conversationKey, channel: conversation!.channel, channelMessageId: `again-${i}-${randomUUID()}`, role, text: i === 0 ? 'One more thing' : 'Hello! Sure.' });
    }
    const second = await store.recordQaClose({ conversationKey: seeded.conversationKey, runId: `run-${randomUUID()}`, reason: 'idle_timeout' });
    expect(second.closeSeq).toBe(2);
    expect(second.fromMessageSeq).toBe(close!.toMessageSeq);
    expect((await store.listQaCloseMessages(second)).map((m) => m.text)).toEqual(['One more thing', 'Hello! Sure.']);

    // A close with nothing new to score is covered but skipped.
    const third = await store.recordQaClose({ conversationKey: seeded.conversationKey, runId: `run-${randomUUID()}`, reason: 'closed' });
    expect(await scoreClose(deps, { conversationKey: seeded.conversationKey, closeSeq: third.closeSeq, workflowId: 'test' })).toMatchObject({ status: 'skipped' });
    const coverage = await store.qaCoverage({ since: new Date(Date.now() - 3 * HOUR).toISOString(), until: new Date(Date.now() + HOUR).toISOString() });
    expect(coverage.skipped).toBeGreaterThanOrEqual(1);
    expect(coverage.missing.map((m) => `${m.conversationKey}#${m.closeSeq}`)).toEqual(
      expect.arrayContaining([`${seeded.conversationKey}#1`, `${seeded.conversationKey}#2`]),
    );
    expect(coverage.missing.map((m) => `${m.conversationKey}#${m.closeSeq}`)).not.toContain(`${seeded.conversationKey}#3`);
  });

  it('when an agent message has no agent in its meta, then the handoff relay record attributes it', async () => {
    const seeded = await seedConversation(deps, 'bot_good_en', new Date(Date.now() - 2 * HOUR), `r-${randomUUID()}`, { score: false });
    const handoffId = `h-${randomUUID()}`;
    const deliveryKey = `agent:${handoffId}:slack-ts-1`;
    await db.query(`INSERT INTO handoffs (id, workflow_id, conversation_key, status, queue, reason) VALUES ($1, $2, $3, 'claimed', 'general', 'asked for a person')`,
      [handoffId, `handoff:${handoffId}`, seeded.conversationKey]);
    await store.insertMessage({ conversationKey: seeded.conversationKey, channel: 'web', channelMessageId: deliveryKey, role: 'agent', text: 'Hi, my name is Dana.' });
    await db.query(`INSERT INTO handoff_agent_messages (handoff_id, source_id, agent_id, agent_name, text, delivery_key) VALUES ($1, 'slack-ts-1', 'U_DANA', 'Dana', 'Hi, my name is Dana.', $2)`,
      [handoffId, deliveryKey]);
    const close = await store.recordQaClose({ conversationKey: seeded.conversationKey, runId: `run-${randomUUID()}`, reason: 'resolved' });
    const messages = await store.listQaCloseMessages(close);
    expect(messages.map((m) => [m.role, m.agentId, m.agentName])).toEqual([['agent', 'U_DANA', 'Dana']]);
  });

  it('when a close is scored twice, then one result is kept and the second call reports created: false', async () => {
    const seeded = await seedConversation(deps, 'bot_curt_en', new Date(Date.now() - HOUR), `s-${randomUUID()}`, { score: false });
    const input = { conversationKey: seeded.conversationKey, closeSeq: seeded.closeSeq, workflowId: 'w1' };
    const [a, b] = await Promise.all([scoreClose(deps, input), scoreClose(deps, { ...input, workflowId: 'w2' })]);
    const created = [a, b].map((o) => (o.status === 'scored' ? o.created : null)).sort();
    expect(created).toEqual([false, true]);
    expect(a.status === 'scored' && b.status === 'scored' && a.resultId === b.resultId).toBe(true);
    const audit = await store.listAudit({ subjects: [`qa_result:${a.status === 'scored' ? a.resultId : ''}`] });
    expect(audit.map((e) => e.action)).toEqual(['qa.result.created']);
  });

  it('with the local sink, when a low-score alert is sent twice, then the local QA inbox holds it once', async () => {
    const seeded = await seedConversation(deps, 'bot_curt_en', new Date(Date.now() - HOUR), `s-${randomUUID()}`);
    const activities = createQaActivities(deps);
    expect(await activities.sendQaAlert({ resultId: seeded.resultId! })).toEqual({ alreadySent: false });
    expect(await activities.sendQaAlert({ resultId: seeded.resultId! })).toEqual({ alreadySent: true });
    const alerts = await store.listQaAlerts({ resultId: seeded.resultId! });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'alert', sink: 'local', status: 'sent', payload: { reasons: ['low_score'], conversationKey: seeded.conversationKey } });
    const payload = alerts[0]!.payload as { failed: { criterion: string }[] };
    expect(payload.failed.map((f) => f.criterion).sort()).toEqual(['closing', 'greeting', 'resolution_check']);
  });

  it('when two leads decide the same dispute at once, then one decision wins and the other is a conflict', async () => {
    const seeded = await seedConversation(deps, 'agent_slow_en', new Date(Date.now() - HOUR), `s-${randomUUID()}`);
    const finding = (await store.listQaFindings(seeded.resultId!)).find((f) => f.criterion === 'reply_time');
    expect(finding).toMatchObject({ status: 'fail', actors: [`agent:${AGENTS.bob.id}`] });
    const service = createQaService({ store, sink: deps.sink, publicUrl: deps.publicUrl, leads: [] });
    const dispute = await service.disputeFinding({ findingId: finding!.id, agent: AGENTS.bob, reason: 'customer was uploading photos' });
    await expect(service.decideDispute({ disputeId: dispute.id, lead: AGENTS.bob, accept: true })).rejects.toMatchObject({ code: 'forbidden' });
    const outcomes = await Promise.allSettled([
      service.decideDispute({ disputeId: dispute.id, lead: { id: 'L1' }, accept: true }),
      service.decideDispute({ disputeId: dispute.id, lead: { id: 'L2' }, accept: false }),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(outcomes.find((o) => o.status === 'rejected')).toMatchObject({ reason: { code: 'conflict' } });
    const decisions = (await store.listAudit({ subjects: [`qa_dispute:${dispute.id}`] })).filter((e) => e.action !== 'qa.dispute.opened');
    expect(decisions).toHaveLength(1);
  });
});

describe('QA posts to Slack', () => {
  let db: Db;
  let store: Store;
  let slack: FakeSlackApi;
  let deps: QaDeps;

  beforeAll(async () => {
    db = await openTestDatabase('pglite');
    store = createStore(db);
    slack = await startFakeSlackApi();
    deps = { ...localQaDeps(store), sink: createSlackQaSink({ token: 'xoxb-test', channel: 'C_QA', apiUrl: slack.apiUrl }) };
  });
  afterAll(async () => {
    await slack?.close();
    await db?.close();
  });

  it('when Slack fails a post, then the failure is recorded and the retry posts it exactly once', async () => {
    const seeded = await seedConversation(deps, 'bot_wealth_bad_zh', new Date(Date.now() - HOUR), `s-${randomUUID()}`);
    const activities = createQaActivities(deps);
    slack.failNext('chat.postMessage', 'channel_not_found');
    await expect(activities.sendQaAlert({ resultId: seeded.resultId! })).rejects.toThrow(/channel_not_found/);
    expect(await store.getQaAlert(`alert:${seeded.resultId}`)).toMatchObject({ status: 'failed', lastError: expect.stringContaining('channel_not_found') });
    await activities.sendQaAlert({ resultId: seeded.resultId! });
    await activities.sendQaAlert({ resultId: seeded.resultId! });
    const delivered = slack.callsOf('chat.postMessage', (a) => String(a.text).includes(seeded.conversationKey));
    expect(delivered).toHaveLength(2); // the failed attempt and the one that got through
    expect(await store.getQaAlert(`alert:${seeded.resultId}`)).toMatchObject({ status: 'sent', ref: { sink: 'slack', channel: 'C_QA' } });
  });

  it('when an agent presses Dispute and submits a reason, then the dispute is opened and the lead gets Accept/Reject in the thread', async () => {
    const seeded = await seedConversation(deps, 'agent_rude_zh', new Date(Date.now() - HOUR), `s-${randomUUID()}`);
    await createQaActivities(deps).sendQaAlert({ resultId: seeded.resultId! });
    const alertTs = (await store.getQaAlert(`alert:${seeded.resultId}`))?.ref?.ts;
    const insult = (await store.listQaFindings(seeded.resultId!)).find((f) => f.criterion === 'no_insults')!;

    const app = new App({
      token: 'xoxb-test',
      signingSecret: 'unused',
      receiver: { init: () => undefined, start: async () => undefined, stop: async () => undefined },
      tokenVerificationEnabled: false,
      clientOptions: { slackApiUrl: slack.apiUrl },
      logLevel: LogLevel.ERROR,
    });
    const service = createQaService({ store, sink: deps.sink, publicUrl: deps.publicUrl, leads: ['U_LEAD'] });
    registerQaSlackActions(app, service);
    const user = { id: AGENTS.bob.id, username: 'bob', name: 'bob', team_id: 'TKEFU' };
    const base = { team: { id: 'TKEFU', domain: 'kefu' }, api_app_id: 'AKEFU', token: 'unused' };

    await app.processEvent({
      body: {
        ...base,
        type: 'block_actions',
        user,
        trigger_id: 'trigger-1',
        channel: { id: 'C_QA', name: 'qa' },
        container: { type: 'message', message_ts: alertTs, channel_id: 'C_QA' },
        message: { ts: alertTs, text: 'QA alert' },
        actions: [{ type: 'button', action_id: 'kefu_qa_dispute', block_id: 'b1', value: insult.id, text: { type: 'plain_text', text: 'Dispute' }, action_ts: '1' }],
      },
      ack: async () => undefined,
    });
    const opened = slack.callsOf('views.open').at(-1);
    expect(opened?.args.trigger_id).toBe('trigger-1');
    const view = (typeof opened?.args.view === 'string' ? JSON.parse(opened.args.view) : opened?.args.view) as { callback_id: string; private_metadata: string };
    expect(view.callback_id).toBe('kefu_qa_dispute_modal');

    const submit = async (reason: string) => {
      let response: unknown;
      await app.processEvent({
        body: {
          ...base,
          type: 'view_submission',
          user,
          trigger_id: 'trigger-2',
          view: { id: 'V1', type: 'modal', callback_id: view.callback_id, private_metadata: view.private_metadata, state: { values: { reason: { reason: { type: 'plain_text_input', value: reason } } } } },
        },
        ack: async (r?: unknown) => {
          response = r;
        },
      });
      return response;
    };
    expect(await submit('我只是说明扣费规则')).toBeUndefined();
    const dispute = (await store.listQaDisputes()).find((d) => d.findingId === insult.id);
    expect(dispute).toMatchObject({ agentId: AGENTS.bob.id, reason: '我只是说明扣费规则', status: 'open' });
    // A second submission is refused in the modal, next to the reason field.
    expect(await submit('again')).toMatchObject({ response_action: 'errors', errors: { reason: expect.stringContaining('disputed already') } });

    const thread = slack.callsOf('chat.postMessage', (a) => a.thread_ts === alertTs);
    expect(thread).toHaveLength(1);
    const buttons = JSON.stringify(thread[0]!.args.blocks);
    expect(buttons).toContain('kefu_qa_accept');
    expect(buttons).toContain('kefu_qa_reject');
    expect(buttons).toContain(dispute!.id);
  });
});

describe('QA with an LLM judge', () => {
  it('when an LLM is configured, then judged criteria get verdicts and the bot\'s cited knowledge is what accuracy is judged against', async () => {
    const fake = await startFakeOpenAI();
    const db = await openTestDatabase('pglite');
    try {
      const store = createStore(db);
      const base = localQaDeps(store);
      const judge = configuredJudge(base.scorecard, { OPENAI_BASE_URL: fake.baseURL, OPENAI_API_KEY: 'test', LLM_MODEL: 'fake', LLM_TIMEOUT: 5000 });
      const deps = { ...base, judge };
      fake.fallback((req) => ({ structured: { verdict: 'pass', evidence: [1], note: promptText(req).includes('accuracy') ? 'matches the fee table' : 'fine' } }));
      const seeded = await seedConversation(deps, 'bot_good_en', new Date(Date.now() - HOUR), `j-${randomUUID()}`, { score: false });
      // The bot's answer cited a knowledge-base excerpt, as the RAG answerer stores it.
      await db.query(`UPDATE messages SET citations = $2 WHERE conversation_key = $1 AND role = 'bot' AND seq = (SELECT min(seq) FROM messages WHERE conversation_key = $1 AND role = 'bot')`,
        [seeded.conversationKey, JSON.stringify([{ index: 1, title: 'Password reset', source: 'kb/account.md', snippet: 'Reset under Settings → Security; the link expires in 30 minutes.' }])]);
      const outcome = await scoreClose(deps, { conversationKey: seeded.conversationKey, closeSeq: seeded.closeSeq, workflowId: 'judge-test' });
      const result = outcome.status === 'scored' ? await store.getQaResult(outcome.resultId) : null;
      expect(result).toMatchObject({ judged: true, unjudgedCount: 0 });
      const findings = await store.listQaFindings(result!.id);
      expect(findings.filter((f) => f.kind === 'judged').map((f) => [f.criterion, f.status])).toEqual([['empathy', 'pass'], ['accuracy', 'pass'], ['problem_solved', 'pass']]);
      const accuracyPrompt = fake.chatRequests().map(promptText).find((t) => t.includes('Criterion: accuracy'));
      expect(accuracyPrompt).toContain('the link expires in 30 minutes');
    } finally {
      await fake.close();
      await db.close();
    }
  });
});

describe('QA routes with INBOX_TOKEN', () => {
  it('when INBOX_TOKEN is set, then transcripts and alerts need it (bearer or basic-auth password), and disputes a signed-in person', async () => {
    const db = await openTestDatabase('pglite');
    const store = createStore(db);
    const deps = localQaDeps(store);
    const seeded = await seedConversation(deps, 'bot_curt_en', new Date(Date.now() - HOUR), `s-${randomUUID()}`);
    const app = Fastify();
    installErrorHandling(app);
    registerQaRoutes(app, { service: createQaService({ store, sink: deps.sink, publicUrl: deps.publicUrl, leads: [] }), store, access: testAccess(store, { serviceToken: 'team-secret' }) });
    try {
      const url = `/v1/qa/results/${seeded.resultId}`;
      expect((await app.inject({ url })).statusCode).toBe(401);
      expect((await app.inject({ url, headers: { authorization: 'Bearer wrong' } })).statusCode).toBe(401);
      const ok = await app.inject({ url, headers: { authorization: 'Bearer team-secret' } });
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toMatchObject({ result: { id: seeded.resultId }, transcript: [{ role: 'customer' }, { role: 'bot' }] });
      const basic = `Basic ${Buffer.from('lin:team-secret').toString('base64')}`;
      expect((await app.inject({ url: '/v1/qa/alerts', headers: { authorization: basic } })).statusCode).toBe(200);
      expect((await app.inject({ method: 'POST', url: '/v1/qa/findings/x/disputes', payload: { reason: 'r' } })).statusCode).toBe(401);
      // The token is a service's, not a person's: it cannot dispute in anyone's name.
      const asService = await app.inject({ method: 'POST', url: '/v1/qa/findings/x/disputes', headers: { authorization: 'Bearer team-secret' }, payload: { reason: 'r' } });
      expect(asService.statusCode).toBe(403);
      expect(asService.json()).toMatchObject({ error: { code: 'forbidden', message: expect.stringContaining('sign') } });
    } finally {
      await app.close();
      await db.close();
    }
  });
});

describe('kefu qa report / coverage (spawned CLI on a seeded database)', () => {
  let dir: string;
  let env: Record<string, string>;
  let seededCurrent = 0;
  let seededPrevious = 0;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'kefu-qa-report-'));
    env = {
      KEFU_DATA_DIR: dir,
      DATABASE_URL: process.env.DATABASE_URL ?? '',
      DATABASE_SCHEMA: `t_${randomUUID().replace(/-/g, '').slice(0, 12)}`,
      LOG_LEVEL: 'silent',
    };
    const db = await openDatabase(loadConfig(env));
    try {
      const seeded = await seedQaWeeks(localQaDeps(createStore(db)), { until: new Date(Date.now() + 60_000), perDay: 2 });
      seededCurrent = seeded.current.length;
      seededPrevious = seeded.previous.length;
    } finally {
      await db.close();
    }
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('when --json is given, then it prints the report for the last 7 days with coverage, agents, criteria and the trend', async () => {
    const { code, stdout, stderr } = await runKefu(['qa', 'report', '--since', '7d', '--json'], { env });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { coverage: { closed: number; scored: number; rate: number }; totals: { conversations: number };
      previousTotals: { conversations: number }; byActor: { actor: string; label: string }[]; byCriterion: unknown[]; topFailures: unknown[]; trend: { averageScore: number | null } };
    expect(report.coverage).toMatchObject({ closed: seededCurrent, scored: seededCurrent, rate: 1 });
    expect(report.totals.conversations).toBe(seededCurrent);
    expect(report.previousTotals.conversations).toBe(seededPrevious);
    expect(report.byActor[0]?.actor).toBe('bot');
    expect(report.byActor.map((a) => a.label)).toContain(`${AGENTS.bob.name} (${AGENTS.bob.id})`);
    expect(report.byCriterion.length).toBeGreaterThan(10);
    expect(typeof report.trend.averageScore).toBe('number');
  });

  it('without --json, then it prints aligned tables', async () => {
    const { code, stdout } = await runKefu(['qa', 'report', '--since', '7d'], { env });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^QA report /);
    expect(stdout).toContain(`Coverage    ${seededCurrent} closed · ${seededCurrent} scored`);
    expect(stdout).toMatch(/By bot and agent\nwho +conversations +avg score/);
    expect(stdout).toContain('Top failure reasons');
  });

  it('when kefu qa coverage runs, then closed and scored conversations are counted', async () => {
    const { code, stdout } = await runKefu(['qa', 'coverage', '--since', '14d', '--json'], { env });
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ closed: seededCurrent + seededPrevious, scored: seededCurrent + seededPrevious, rate: 1, missing: [] });
  });

  it('when --since is not a duration, then it exits 2 with one line and no stack trace', async () => {
    const { code, stdout, stderr } = await runKefu(['qa', 'report', '--since', 'last week'], { env });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^kefu: --since: invalid duration "last week"/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
