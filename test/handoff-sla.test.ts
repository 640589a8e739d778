import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESK_ACTIONS } from '../bots/agent-desk.js';
import { startFakeSlackApi, messageText, type FakeSlackApi, type SlackCall } from './fakes/slack-api.js';
import { createHandoffTestAnswerer, waitForHandoff, waitForMessage } from './helpers/handoff.js';
import { getMessages, postMessage, startTestPlatform, type TestPlatform } from './helpers/platform.js';
import { blockAction, postToSlackEndpoint } from './helpers/slack.js';

const SECRET = 'handoff-sla-secret';
const AGENT = { id: 'UAGENTSLA', name: 'wang', displayName: 'Wang Fang' };

function slackEnv(slack: FakeSlackApi, extra: Record<string, string>): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.url,
    SLACK_QUEUE_CHANNEL: 'kefu-queue',
    SLACK_SUPERVISOR_CHANNEL: 'kefu-sup',
    ...extra,
  };
}

async function handOff(p: TestPlatform, slack: FakeSlackApi, conv: string, ask = '人工') {
  await postMessage(p.url, conv, { customerId: `cust-${conv}`, text: ask });
  const handoff = await waitForHandoff(p, conv);
  const card = await slack.waitFor('chat.postMessage', (c) => !c.args.thread_ts && messageText(c).includes(`"value":"${handoff.id}"`));
  return { handoff, card };
}

const click = (p: TestPlatform, card: SlackCall, actionId: string, value: string) =>
  postToSlackEndpoint(p.url, SECRET, blockAction({ user: AGENT.id, channel: String(card.result.channel), messageTs: String(card.result.ts), actionId, value }));

describe('handoff SLA timers (second-long durations)', () => {
  let p: TestPlatform;
  let slack: FakeSlackApi;

  beforeAll(async () => {
    slack = await startFakeSlackApi({ users: [AGENT] });
    p = await startTestPlatform({
      answerer: createHandoffTestAnswerer(),
      env: slackEnv(slack, {
        HANDOFF_ALERT_AFTER: '1s',
        HANDOFF_ESCALATE_AFTER: '2s',
        HANDOFF_QUEUE_UPDATE_EVERY: '1s',
        HANDOFF_AGENT_IDLE_REMINDER: '1s',
        HANDOFF_DEFAULT_WAIT: '2m',
      }),
    });
  });
  afterAll(async () => {
    await p?.stop();
    await slack?.close();
  });

  it('when nobody claims, then the queue is re-alerted with @here, then the supervisors, who can claim from their alert', async () => {
    const conv = `sla-${randomUUID()}`;
    const { handoff, card } = await handOff(p, slack, conv);
    const alert = await slack.waitFor('chat.postMessage', (c) => c.args.thread_ts === card.result.ts && String(c.args.text).includes('<!here>'));
    expect(String(alert.args.reply_broadcast)).toBe('true');
    expect(alert.at - card.at).toBeGreaterThanOrEqual(900);
    const sup = await slack.waitFor('chat.postMessage', (c) => c.args.channel === 'kefu-sup' && messageText(c).includes(handoff.id));
    expect(sup.at - card.at).toBeGreaterThanOrEqual(1900);
    expect(messageText(sup)).toContain('Unclaimed for');
    expect(messageText(sup)).toContain(DESK_ACTIONS.claim);

    // Claimed from the supervisor channel: the queue card is the one that updates.
    await click(p, sup, DESK_ACTIONS.claim, handoff.id);
    await slack.waitFor('chat.update', (c) => c.args.ts === card.result.ts && messageText(c).includes(`claimed by <@${AGENT.id}>`));
    // One alert of each kind per time in the queue.
    expect(slack.callsOf('chat.postMessage').filter((c) => c.args.thread_ts === card.result.ts && String(c.args.text).includes('<!here>'))).toHaveLength(1);
    expect(slack.callsOf('chat.postMessage').filter((c) => c.args.channel === 'kefu-sup' && messageText(c).includes(handoff.id))).toHaveLength(1);

    // Agent idle on a customer message → a reminder in the thread that mentions them.
    const askedAt = Date.now();
    await postMessage(p.url, conv, { customerId: `cust-${conv}`, text: '有人吗？' });
    const reminder = await slack.waitFor('chat.postMessage', (c) => c.args.thread_ts === card.result.ts && String(c.args.text).startsWith(`⏰ <@${AGENT.id}>`));
    expect(reminder.at - askedAt).toBeGreaterThanOrEqual(950);
    await click(p, card, DESK_ACTIONS.resolve, handoff.id);
    await waitForHandoff(p, conv, 'resolved');
  });

  it('when customers ahead are taken, then a waiting customer hears their new place in the queue', async () => {
    const first = await handOff(p, slack, `sla-${randomUUID()}`, 'agent');
    const conv = `sla-${randomUUID()}`;
    await handOff(p, slack, conv, '转人工');
    await waitForMessage(p.url, conv, (m) => m.role === 'system' && /您前面还有 1 位客户，预计等待约 \d+ 分钟/.test(m.text), 'queued as second');
    await click(p, first.card, DESK_ACTIONS.claim, first.handoff.id);
    await waitForMessage(p.url, conv, (m) => m.role === 'system' && m.text.startsWith('您现在是下一位'), 'position update');
    // The update is sent once per change, not every second.
    const updates = (await getMessages(p.url, conv)).filter((m) => m.text.startsWith('您现在是下一位'));
    expect(updates).toHaveLength(1);
  });
});

describe('handoff outside business hours, and timers across a worker restart', () => {
  let p: TestPlatform;
  let slack: FakeSlackApi;
  let opensAtMs: number;

  beforeAll(async () => {
    slack = await startFakeSlackApi({ users: [AGENT] });
    // Agents' hours open 35 s from now (UTC, every day) for an hour, leaving time for a slow start; the window may span midnight.
    opensAtMs = Math.ceil((Date.now() + 35_000) / 1000) * 1000;
    const hhmmss = (ms: number) => new Date(ms).toISOString().slice(11, 19);
    p = await startTestPlatform({
      answerer: createHandoffTestAnswerer(),
      shutdownGraceTime: '500ms',
      env: slackEnv(slack, {
        BUSINESS_HOURS: `sun-sat ${hhmmss(opensAtMs)}-${hhmmss(opensAtMs + 3_600_000)}`,
        BUSINESS_TIMEZONE: 'UTC',
        HANDOFF_ALERT_AFTER: '3s',
        HANDOFF_ESCALATE_AFTER: '1h',
        HANDOFF_QUEUE_UPDATE_EVERY: '1h',
      }),
    });
  });
  afterAll(async () => {
    await p?.stop();
    await slack?.close();
  });

  it('when a customer asks for a person before opening time, then they are told when, their message is kept, and the card comes at opening', async () => {
    expect(Date.now(), 'the platform took too long to start for this test').toBeLessThan(opensAtMs - 4000);
    const conv = `bh-${randomUUID()}`;
    await postMessage(p.url, conv, { customerId: 'night-owl', text: 'I need an agent' });
    await waitForMessage(p.url, conv, (m) => m.role === 'system' && m.text.startsWith('Our team is offline right now and will be back'), 'after-hours notice');
    const handoff = await waitForHandoff(p, conv, 'after_hours');
    await postMessage(p.url, conv, { customerId: 'night-owl', text: 'My order 555 never arrived' });
    await waitForMessage(p.url, conv, (m) => m.role === 'system' && m.text.includes('your message is saved'), 'message kept notice');
    expect(slack.callsOf('chat.postMessage').some((c) => messageText(c).includes(handoff.id))).toBe(false);

    const card = await slack.waitFor('chat.postMessage', (c) => !c.args.thread_ts && messageText(c).includes(`"value":"${handoff.id}"`), Math.max(0, opensAtMs - Date.now()) + 20_000);
    expect(card.at).toBeGreaterThanOrEqual(opensAtMs - 50);
    await slack.waitFor('chat.postMessage', (c) => c.args.thread_ts === card.result.ts && String(c.args.text).includes('My order 555 never arrived'));
    await waitForMessage(p.url, conv, (m) => m.role === 'system' && m.text.includes('connecting you'), 'queue notice at opening');
    await click(p, card, DESK_ACTIONS.resolve, handoff.id);
    await waitForHandoff(p, conv, 'resolved');
  });

  it('when the worker is down while an SLA timer runs out, then the alert goes out once after restart', async () => {
    const now = Date.now();
    if (now < opensAtMs) await new Promise((r) => setTimeout(r, opensAtMs - now)); // needs the desk open
    const conv = `bh-${randomUUID()}`;
    const { handoff, card } = await handOff(p, slack, conv, 'agent');
    await p.stopWorker();
    // Let the 3 s timer expire while no worker runs; Temporal keeps it.
    await new Promise((r) => setTimeout(r, Math.max(0, card.at + 3500 - Date.now())));
    const isAlert = (c: SlackCall) => c.args.thread_ts === card.result.ts && String(c.args.text).includes('<!here>');
    expect(slack.callsOf('chat.postMessage').filter(isAlert)).toHaveLength(0);
    await p.startWorker();
    await slack.waitFor('chat.postMessage', isAlert);
    await click(p, card, DESK_ACTIONS.claim, handoff.id);
    await slack.waitFor('chat.update', (c) => c.args.ts === card.result.ts && messageText(c).includes('claimed by'));
    expect(slack.callsOf('chat.postMessage').filter(isAlert)).toHaveLength(1);
    await click(p, card, DESK_ACTIONS.resolve, handoff.id);
    await waitForHandoff(p, conv, 'resolved');
  });
});
