import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversationKey } from '../core/domain.js';
import type { ConversationState } from '../workflows/conversation-types.js';
import { createEchoAnswerer } from './helpers/answerers.js';
import { eventually, getMessages, postMessage, startTestPlatform, waitForReplies, type TestPlatform } from './helpers/platform.js';

describe('conversation workflow durability', () => {
  let p: TestPlatform;
  const echo = createEchoAnswerer();

  beforeAll(async () => {
    // Two turns per run so continue-as-new happens inside the test; a short grace time makes restarts quick.
    p = await startTestPlatform({ answerer: echo.answerer, env: { CONVERSATION_TURNS_PER_RUN: '2' }, shutdownGraceTime: '500ms' });
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('when the worker is stopped between turns, then messages wait and are answered after restart with history', async () => {
    const conv = `d-${randomUUID()}`;
    await postMessage(p.url, conv, { customerId: 'u1', text: 'first' });
    await waitForReplies(p.url, conv, 1);

    await p.stopWorker();
    await postMessage(p.url, conv, { customerId: 'u1', text: 'second' });
    // Stored while no worker runs: persisted and acknowledged, not yet answered.
    expect((await getMessages(p.url, conv)).map((m) => m.text)).toEqual(['first', 'answer to: first', 'second']);

    await p.startWorker();
    const messages = await waitForReplies(p.url, conv, 2);
    expect(messages.map((m) => `${m.role}:${m.text}`)).toEqual(['customer:first', 'bot:answer to: first', 'customer:second', 'bot:answer to: second']);
  });

  it('when the worker restarts in the middle of a turn, then the reply is neither lost nor duplicated', async () => {
    const conv = `d-${randomUUID()}`;
    echo.hold();
    const callsBefore = echo.calls.length;
    await postMessage(p.url, conv, { customerId: 'u2', text: 'in flight' });
    await eventually(async () => (echo.calls.length > callsBefore ? true : undefined), 20_000, 'answer activity to start');

    await p.stopWorker(); // the in-flight answer is abandoned by this worker and retried by the next
    echo.release();
    await p.startWorker();

    const messages = await waitForReplies(p.url, conv, 1);
    await postMessage(p.url, conv, { customerId: 'u2', text: 'after restart' });
    const after = await waitForReplies(p.url, conv, 2);
    expect(after.filter((m) => m.role === 'bot').map((m) => m.text)).toEqual(['answer to: in flight', 'answer to: after restart']);
    expect(messages.filter((m) => m.role === 'customer')).toHaveLength(1);
    const deliveries = await p.store.listDeliveries(conversationKey('web', conv));
    expect(deliveries.map((d) => d.status)).toEqual(['sent', 'sent']);
  });

  it('when a conversation passes the turns-per-run limit, then it continues as new and keeps its transcript', async () => {
    const conv = `d-${randomUUID()}`;
    for (const t of ['one', 'two', 'three']) {
      await postMessage(p.url, conv, { customerId: 'u3', text: t });
    }
    await waitForReplies(p.url, conv, 3);
    const handle = p.temporal.client.workflow.getHandle(conversationKey('web', conv));
    const described = await handle.describe();
    const firstRun = p.temporal.client.workflow.getHandle(conversationKey('web', conv), described.runId);
    expect((await firstRun.describe()).status.name).toBe('RUNNING');
    const state = await handle.query<ConversationState>('state');
    expect(state.turns).toBe(3);
    const transcript = await handle.query<{ text: string }[]>('transcript');
    expect(transcript.map((t) => t.text)).toEqual(['one', 'answer to: one', 'two', 'answer to: two', 'three', 'answer to: three']);
    // The first run ended by continuing as new.
    const runs: string[] = [];
    for await (const w of p.temporal.client.workflow.list({ query: `WorkflowId = '${conversationKey('web', conv)}'` })) runs.push(w.status.name);
    expect(runs.sort()).toEqual(['CONTINUED_AS_NEW', 'RUNNING']);
  });
});

describe('idle timeout', () => {
  let p: TestPlatform;
  beforeAll(async () => {
    p = await startTestPlatform({ answerer: createEchoAnswerer().answerer, env: { CONVERSATION_IDLE_TIMEOUT: '2s' } });
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('when the customer goes quiet past the idle timeout, then the conversation closes itself', async () => {
    const conv = `i-${randomUUID()}`;
    await postMessage(p.url, conv, { customerId: 'u4', text: 'hello' });
    await waitForReplies(p.url, conv, 1);
    const handle = p.temporal.client.workflow.getHandle(conversationKey('web', conv));
    const result = (await handle.result()) as ConversationState;
    expect(result).toMatchObject({ status: 'closed', closeReason: 'idle_timeout', turns: 1 });
    const stored = await p.store.getConversation(conversationKey('web', conv));
    expect(stored).toMatchObject({ status: 'closed', closeReason: 'idle_timeout' });

    // A new message reopens the conversation with a new workflow run.
    await postMessage(p.url, conv, { customerId: 'u4', text: 'back again' });
    await waitForReplies(p.url, conv, 2);
    expect((await p.store.getConversation(conversationKey('web', conv)))?.status).toBe('bot');
  });

  it('when the close signal is sent, then the conversation closes with that reason', async () => {
    const conv = `i-${randomUUID()}`;
    await postMessage(p.url, conv, { customerId: 'u5', text: 'bye' });
    await waitForReplies(p.url, conv, 1);
    const handle = p.temporal.client.workflow.getHandle(conversationKey('web', conv));
    await handle.signal('close', { reason: 'resolved' });
    expect(await handle.result()).toMatchObject({ status: 'closed', closeReason: 'resolved' });
  });
});
