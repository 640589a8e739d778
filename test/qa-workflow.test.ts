import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localQaDeps } from '../activities/qa/deps.js';
import type { QaReport } from '../activities/qa/report.js';
import { ensureQaReportSchedule, qaReportScheduleId } from '../activities/qa/schedule.js';
import { conversationKey, type AnswerResult } from '../core/domain.js';
import type { Answerer } from '../knowledge/answerer.js';
import { detectLanguage } from '../analysis/text/language.js';
import { qaReportWorkflow, qaWorkflow, qaWorkflowId, type QaWorkflowResult } from '../workflows/qa.js';
import { startFakeSlackApi, type FakeSlackApi } from './fakes/risk-slack.js';
import { AGENTS, seedConversation, seedQaWeeks } from './fixtures/qa/seed-week.js';
import { ConsoleClient } from './helpers/console-client.js';
import { eventually, postMessage, startTestPlatform, waitForReplies, type TestPlatform } from './helpers/platform.js';

const QA_CHANNEL = 'qa-test';
const LEAD = { id: 'U_LEAD', name: 'Lin Lead' };

/**
 * Answers that score predictably: a model reply (greeting, resolution check, closing: every rule passes) or, when
 * the customer asks about a fund, one promising returns without the risk disclosure (two critical failures).
 */
const scriptedAnswerer: Answerer = {
  async answer(q): Promise<AnswerResult> {
    const language = q.language ?? detectLanguage(q.text);
    const text = /\bfund\b/i.test(q.text)
      ? 'Our fund has guaranteed returns of 8% a year.'
      : 'Hello! You can change it under Settings. Is there anything else I can help with? Thank you for contacting us, have a nice day!';
    return { text, citations: [], confidence: 0.9, handoffSuggested: false, intent: null, language };
  },
};

describe('QA of every closed conversation (real Temporal, real database)', () => {
  let p: TestPlatform;
  let slack: FakeSlackApi;

  beforeAll(async () => {
    slack = await startFakeSlackApi();
    p = await startTestPlatform({
      answerer: scriptedAnswerer,
      env: {
        CONVERSATION_IDLE_TIMEOUT: '3s',
        SLACK_BOT_TOKEN: 'xoxb-qa-test',
        SLACK_SIGNING_SECRET: 'qa-test-secret',
        SLACK_API_URL: slack.apiUrl,
        SLACK_QA_CHANNEL: QA_CHANNEL,
        QA_LEADS: LEAD.id,
        // People in the console: disputes and decisions over HTTP are theirs (QA_LEADS is for Slack's buttons).
        CONSOLE_USERS: 'ops:agent:ops-pass-123,lin:supervisor:lin-pass-123',
        PUBLIC_URL: 'https://kefu.example.test',
        KEFU_SCHEDULES: 'true', // the weekly report schedule is created at worker start
      },
    });
  });
  afterAll(async () => {
    await p?.stop();
    await slack?.close();
  });

  const qaPosts = () => slack.callsOf('chat.postMessage', (a) => a.channel === QA_CHANNEL || typeof a.thread_ts === 'string');
  const resultOf = (key: string, closeSeq = 1) => eventually(async () => (await p.store.getQaResultByClose(key, closeSeq)) ?? undefined, 30_000, `QA result of ${key}#${closeSeq}`);

  /** A web conversation of one customer message and its reply; closed by signal, or left to the idle timeout. */
  async function conversation(text: string, close: 'signal' | 'idle'): Promise<string> {
    const id = `qa-${randomUUID()}`;
    await postMessage(p.url, id, { customerId: `c-${id}`, text });
    await waitForReplies(p.url, id, 1);
    const key = conversationKey('web', id);
    if (close === 'signal') await p.temporal.client.workflow.getHandle(key).signal('close', { reason: 'resolved' });
    return key;
  }

  it('when N conversations close (close signal and idle timeout), then each close gets exactly one QA result', async () => {
    const keys = await Promise.all([
      conversation('How do I change my e-mail address?', 'signal'),
      conversation('How do I change my phone number?', 'signal'),
      conversation('Where do I change my password?', 'idle'),
      conversation('How do I change my avatar?', 'idle'),
    ]);
    const results = await Promise.all(keys.map((k) => resultOf(k)));

    expect(results.map((r) => r.conversationKey).sort()).toEqual([...keys].sort());
    for (const r of results) {
      expect(r).toMatchObject({ closeSeq: 1, workflowId: qaWorkflowId(r.conversationKey, 1), channel: 'web', actors: ['bot'], judged: false });
      expect(r.score).toBe(100);
      expect(r.passed).toBe(true);
      const findings = await p.store.listQaFindings(r.id);
      expect(findings.map((f) => f.criterion)).toContain('greeting');
      // Every finding points at stored messages of this conversation.
      for (const f of findings) expect(f.evidenceMessageIds).toHaveLength(f.evidenceIndexes.length);
    }
    const closes = await Promise.all(keys.map((k) => p.store.getQaClose(k, 1)));
    expect(closes.map((c) => c?.reason).sort()).toEqual(['idle_timeout', 'idle_timeout', 'resolved', 'resolved']);
    const handle = p.temporal.client.workflow.getHandle(qaWorkflowId(keys[0] as string, 1));
    expect((await handle.result()) as QaWorkflowResult).toMatchObject({ status: 'scored', created: true, alerted: false });
    // A passing conversation does not alert the QA channel.
    expect(qaPosts().filter((c) => String(c.args.text).includes(keys[0] as string))).toHaveLength(0);
    // Coverage counts these closes as scored.
    const coverage = await p.store.qaCoverage({ since: new Date(Date.now() - 3_600_000).toISOString(), until: new Date(Date.now() + 60_000).toISOString() });
    expect(coverage.missing.filter((m) => keys.includes(m.conversationKey))).toEqual([]);
  });

  it('when the QA workflow is started twice for a close, then Temporal rejects the second start and no second result is stored', async () => {
    const key = await conversation('How do I change my language?', 'signal');
    const first = await resultOf(key);
    await p.temporal.client.workflow.getHandle(qaWorkflowId(key, 1)).result();

    await expect(p.temporal.client.workflow.start(qaWorkflow, {
      taskQueue: p.config.TEMPORAL_TASK_QUEUE,
      workflowId: qaWorkflowId(key, 1),
      args: [{ conversationKey: key, closeSeq: 1 }],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    })).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);

    // Past Temporal's guard (another workflow id), the unique constraint keeps one result: nothing is scored again.
    const again = await p.temporal.client.workflow.execute(qaWorkflow, {
      taskQueue: p.config.TEMPORAL_TASK_QUEUE,
      workflowId: `qa-again:${key}`,
      args: [{ conversationKey: key, closeSeq: 1 }],
    });
    expect(again).toMatchObject({ status: 'scored', created: false, resultId: first.id });
    const rows = await p.store.db.query<{ n: number }>('SELECT count(*)::int AS n FROM qa_results WHERE conversation_key = $1', [key]);
    expect(rows.rows[0]?.n).toBe(1);
    // The close is recorded once per conversation workflow run, however often it is reported.
    const close = await p.store.getQaClose(key, 1);
    const repeated = await p.store.recordQaClose({ conversationKey: key, runId: close?.runId as string, reason: 'resolved' });
    expect(repeated.closeSeq).toBe(1);
  });

  it('when a conversation reopens and closes again, then the second close is scored on its own messages', async () => {
    const id = `qa-${randomUUID()}`;
    const key = conversationKey('web', id);
    await postMessage(p.url, id, { customerId: `c-${id}`, text: 'How do I change my address?' });
    await waitForReplies(p.url, id, 1);
    const first = p.temporal.client.workflow.getHandle(key);
    await first.signal('close', { reason: 'resolved' });
    // Reopen once the first workflow has finished: a message racing the end of a closing run is a separate matter.
    await first.result();
    await resultOf(key, 1);

    await postMessage(p.url, id, { customerId: `c-${id}`, text: 'Tell me about your fund' });
    await waitForReplies(p.url, id, 2);
    const second = await resultOf(key, 2); // closed by the idle timeout this time

    expect(second.messageCount).toBe(2);
    expect(second.criticalFailures.sort()).toEqual(['no_guaranteed_returns', 'risk_disclosure']);
    expect((await p.store.getQaResultByClose(key, 1))?.passed).toBe(true);
    expect(second.workflowId).toBe(qaWorkflowId(key, 2));
  });

  it('when a conversation fails a critical criterion, then the QA channel gets one alert with a transcript link and a Dispute button per failed finding', async () => {
    const key = await conversation('Tell me about your fund', 'signal');
    const result = await resultOf(key);
    expect(result.passed).toBe(false);
    await p.temporal.client.workflow.getHandle(qaWorkflowId(key, 1)).result();

    const posts = qaPosts().filter((c) => String(c.args.text).includes(key));
    expect(posts).toHaveLength(1);
    const post = posts[0]!.args;
    expect(post.channel).toBe(QA_CHANNEL);
    expect(post.text).toMatch(/scored [\d.]+ \(critical: /);
    expect(String(post.text)).toContain('no_guaranteed_returns');
    expect(String(post.text)).toContain('risk_disclosure');
    const blocks = JSON.stringify(post.blocks);
    expect(blocks).toContain(`https://kefu.example.test/v1/qa/results/${result.id}`);
    const findings = await p.store.listQaFindings(result.id);
    const failed = findings.filter((f) => f.status === 'fail');
    const buttons = (post.blocks as { accessory?: { action_id: string; value: string } }[])
      .flatMap((b) => (b.accessory?.action_id === 'kefu_qa_dispute' ? [b.accessory.value] : []));
    expect(buttons.sort()).toEqual(failed.map((f) => f.id).sort());

    const alert = await p.store.getQaAlert(`alert:${result.id}`);
    expect(alert).toMatchObject({ kind: 'alert', sink: 'slack', status: 'sent', ref: { sink: 'slack', channel: QA_CHANNEL } });

    // The link resolves to the transcript with the findings.
    const detail = await (await fetch(`${p.url}/v1/qa/results/${result.id}`)).json() as { transcript: { role: string }[]; findings: unknown[] };
    expect(detail.transcript.map((m) => m.role)).toEqual(['customer', 'bot']);
    expect(detail.findings).toHaveLength(findings.length);
  });

  it('when an agent disputes a finding in the console and a supervisor accepts, then the finding is overturned, the score recomputed and every change audited', async () => {
    const key = await conversation('Which fund do you recommend?', 'signal');
    const result = await resultOf(key);
    await p.temporal.client.workflow.getHandle(qaWorkflowId(key, 1)).result();
    const alertTs = (await p.store.getQaAlert(`alert:${result.id}`))?.ref?.ts;
    const findings = await p.store.listQaFindings(result.id);
    const greeting = findings.find((f) => f.criterion === 'greeting' && f.status === 'fail');
    const passing = findings.find((f) => f.status === 'pass');
    expect(greeting).toBeDefined();

    const ops = new ConsoleClient(p.url);
    await ops.login('ops', 'ops-pass-123');
    const lin = new ConsoleClient(p.url);
    await lin.login('lin', 'lin-pass-123');
    // Without a session nobody disputes.
    expect((await new ConsoleClient(p.url).postTo(`/v1/qa/findings/${greeting!.id}/disputes`, { reason: 'x' })).status).toBe(401);

    const opened = await ops.postTo(`/v1/qa/findings/${greeting!.id}/disputes`, { reason: 'The bot greets in the widget header.' });
    expect(opened.status).toBe(201);
    const { dispute } = opened.body as { dispute: { id: string; status: string } };
    expect(dispute.status).toBe('open');
    // One dispute per finding, and only failed findings can be disputed.
    expect((await ops.postTo(`/v1/qa/findings/${greeting!.id}/disputes`, { reason: 'again' })).status).toBe(409);
    expect((await ops.postTo(`/v1/qa/findings/${passing!.id}/disputes`, { reason: 'x' })).status).toBe(409);
    expect((await ops.postTo('/v1/qa/findings/nope/disputes', { reason: 'x' })).status).toBe(404);
    expect((await ops.postTo(`/v1/qa/findings/${greeting!.id}/disputes`, {})).status).toBe(400);
    // Only a supervisor decides: an agent's session is refused.
    expect((await ops.postTo(`/v1/qa/disputes/${dispute.id}/decision`, { accept: true })).status).toBe(403);

    const decided = await lin.postTo(`/v1/qa/disputes/${dispute.id}/decision`, { accept: true, note: 'Header greeting counts.' });
    expect(decided.status).toBe(200);
    const body = decided.body as { dispute: { status: string }; result: { score: number; passed: boolean }; finding: { status: string; overturned: boolean } };
    expect(body.dispute.status).toBe('accepted');
    expect(body.finding).toMatchObject({ status: 'pass', overturned: true });
    expect(body.result.score).toBeGreaterThan(result.score);
    expect(body.result.passed).toBe(false); // the critical failures still stand
    expect((await lin.postTo(`/v1/qa/disputes/${dispute.id}/decision`, { accept: false })).status).toBe(409);

    const stored = await p.store.getQaResult(result.id);
    expect(stored).toMatchObject({ score: body.result.score, originalScore: result.score });
    const audit = await p.store.listAudit({ subjects: [`qa_result:${result.id}`, `qa_dispute:${dispute.id}`, `qa_finding:${greeting!.id}`] });
    expect(audit.map((a) => [a.action, a.actor])).toEqual([
      ['qa.result.created', 'system:qa'],
      ['qa.dispute.opened', 'agent:inbox:ops'],
      ['qa.dispute.accepted', 'lead:inbox:lin'],
      ['qa.finding.overturned', 'lead:inbox:lin'],
      ['qa.result.rescored', 'lead:inbox:lin'],
    ]);
    const rescored = audit.find((a) => a.action === 'qa.result.rescored');
    expect(rescored?.before).toMatchObject({ score: result.score });
    expect(rescored?.after).toMatchObject({ score: body.result.score });

    // The dispute and the decision went to the alert's thread.
    const thread = slack.callsOf('chat.postMessage', (a) => a.thread_ts === alertTs);
    expect(thread.map((c) => String(c.args.text))).toEqual([
      expect.stringContaining('Dispute on 问候 / Greeting'),
      expect.stringContaining('accepted: finding overturned'),
    ]);
  });

  it('when a handed-off conversation is scored, then findings are attributed to the agent who caused them and only that agent may dispute', async () => {
    const deps = localQaDeps(p.store);
    const seeded = await seedConversation(deps, 'agent_rude_zh', new Date(Date.now() - 3_600_000), `rude-${randomUUID()}`, { score: false });
    const outcome = await p.temporal.client.workflow.execute(qaWorkflow, {
      taskQueue: p.config.TEMPORAL_TASK_QUEUE,
      workflowId: qaWorkflowId(seeded.conversationKey, seeded.closeSeq),
      args: [{ conversationKey: seeded.conversationKey, closeSeq: seeded.closeSeq }],
    });
    expect(outcome).toMatchObject({ status: 'scored', alerted: true, alertReasons: ['critical_failure', 'low_score'] });
    const result = await p.store.getQaResultByClose(seeded.conversationKey, seeded.closeSeq);
    expect(result).toMatchObject({ actors: ['bot', `agent:${AGENTS.bob.id}`], agentNames: { [AGENTS.bob.id]: AGENTS.bob.name } });
    const findings = await p.store.listQaFindings(result!.id);
    const byCriterion = Object.fromEntries(findings.map((f) => [f.criterion, f]));
    expect(byCriterion.no_insults).toMatchObject({ status: 'fail', actors: [`agent:${AGENTS.bob.id}`], evidenceIndexes: [2] });
    expect(byCriterion.agent_first_response).toMatchObject({ status: 'fail', actors: [`agent:${AGENTS.bob.id}`] });
    expect(byCriterion.greeting).toMatchObject({ status: 'pass', actors: ['bot'] });
    const alert = qaPosts().find((c) => String(c.args.text).includes(seeded.conversationKey));
    expect(JSON.stringify(alert?.args.blocks)).toContain(`${AGENTS.bob.name} (${AGENTS.bob.id})`);

    const insult = byCriterion.no_insults!;
    await expect(p.qa.disputeFinding({ findingId: insult.id, agent: AGENTS.alice, reason: 'not me' })).rejects.toMatchObject({ code: 'forbidden' });
    const dispute = await p.qa.disputeFinding({ findingId: insult.id, agent: AGENTS.bob, reason: '系统扣费说明' });
    const decided = await p.qa.decideDispute({ disputeId: dispute.id, lead: LEAD, accept: false, note: '属于不当用语' });
    expect(decided.dispute.status).toBe('rejected');
    expect(decided.result.score).toBe(result!.score);
    expect((await p.store.getQaFinding(insult.id))?.status).toBe('fail');
    const audit = await p.store.listAudit({ subjects: [`qa_dispute:${dispute.id}`] });
    expect(audit.map((a) => a.action)).toEqual(['qa.dispute.opened', 'qa.dispute.rejected']);
  });

  it('when the weekly report workflow runs over a seeded week, then it returns scores by agent and criterion, coverage and the trend, and posts them', async () => {
    const until = new Date('2026-01-12T00:00:00Z');
    const deps = localQaDeps(p.store);
    const seeded = await seedQaWeeks(deps, { until, perDay: 2, prefix: `wk-${randomUUID().slice(0, 8)}` });
    const report = (await p.temporal.client.workflow.execute(qaReportWorkflow, {
      taskQueue: p.config.TEMPORAL_TASK_QUEUE,
      workflowId: `qa-report-test-${randomUUID()}`,
      args: [{ days: 7, until: until.toISOString() }],
    })) as QaReport;

    expect(report.period).toEqual({ since: '2026-01-05T00:00:00.000Z', until: '2026-01-12T00:00:00.000Z' });
    expect(report.coverage).toMatchObject({ closed: 14, scored: 14, rate: 1 });
    expect(report.totals.conversations).toBe(14);
    const agentCount = (agentId: string) => seeded.current.filter((c) => c.agents.includes(agentId)).length;
    const byActor = Object.fromEntries(report.byActor.map((a) => [a.actor, a]));
    expect(byActor.bot?.conversations).toBe(14);
    for (const agent of Object.values(AGENTS)) {
      expect(byActor[`agent:${agent.id}`]?.conversations ?? 0).toBe(agentCount(agent.id));
    }
    // Scores by criterion cover the whole scorecard, and the trend compares with the seeded previous week.
    expect(report.byCriterion.map((c) => c.criterion)).toContain('no_insults');
    const expectedAverage = await p.store.qaResultTotals(report.period);
    const previousAverage = await p.store.qaResultTotals(report.previousPeriod);
    expect(report.trend.averageScore).toBeCloseTo((expectedAverage.averageScore ?? 0) - (previousAverage.averageScore ?? 0), 0);
    expect(report.previousTotals.conversations).toBe(seeded.previous.length);
    expect(report.topFailures.length).toBeGreaterThan(0);

    const posted = qaPosts().find((c) => String(c.args.text).startsWith('QA report 2026-01-05'));
    expect(JSON.stringify(posted?.args.blocks)).toContain('By bot and agent');
    expect((await p.store.listQaAlerts({ kind: 'report' })).some((a) => a.status === 'sent')).toBe(true);
  });

  it('when the worker starts, then the weekly report schedule exists; starting again leaves it unchanged and a new cron updates it', async () => {
    const scheduleId = qaReportScheduleId(p.config.TEMPORAL_TASK_QUEUE);
    const handle = p.temporal.client.schedule.getHandle(scheduleId);
    const described = await handle.describe();
    expect(described.action).toMatchObject({ workflowType: 'qaReportWorkflow', taskQueue: p.config.TEMPORAL_TASK_QUEUE });
    expect(await ensureQaReportSchedule(p.temporal.client, p.config)).toBe('unchanged');
    expect(await ensureQaReportSchedule(p.temporal.client, { ...p.config, QA_REPORT_CRON: '30 8 * * fri' })).toBe('updated');
    expect((await handle.describe()).action.memo).toMatchObject({ cron: '30 8 * * fri' });

    // Triggered now, the schedule runs the report workflow on this worker and the report reaches the QA channel.
    const before = (await p.store.listQaAlerts({ kind: 'report', limit: 1000 })).length;
    await handle.trigger();
    await eventually(async () => ((await p.store.listQaAlerts({ kind: 'report', limit: 1000 })).length > before ? true : undefined), 30_000, 'scheduled report');
  });
});
