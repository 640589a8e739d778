import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversationKey } from '../core/domain.js';
import { createEchoAnswerer } from './helpers/answerers.js';
import { getMessages, postMessage, startTestPlatform, waitForReplies, type TestPlatform } from './helpers/platform.js';

describe('REST channel through the conversation workflow', () => {
  let p: TestPlatform;
  const echo = createEchoAnswerer();

  beforeAll(async () => {
    p = await startTestPlatform({ answerer: echo.answerer });
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('when a customer posts a message, then it is stored and answered by the workflow', async () => {
    const conv = `c-${randomUUID()}`;
    const res = await postMessage(p.url, conv, { customerId: 'alice', text: 'Where is my parcel?' });
    expect(res.status).toBe(202);
    expect(typeof res.body.messageId).toBe('string');

    const messages = await waitForReplies(p.url, conv, 1);
    expect(messages.map((m) => [m.role, m.text])).toEqual([
      ['customer', 'Where is my parcel?'],
      ['bot', 'answer to: Where is my parcel?'],
    ]);
    const transcript = await p.temporal.client.workflow.getHandle(conversationKey('web', conv)).query<{ role: string }[]>('transcript');
    expect(transcript.map((t) => t.role)).toEqual(['customer', 'bot']);
  });

  it('when the same messageId is posted twice, then it is stored once and answered once', async () => {
    const conv = `c-${randomUUID()}`;
    const body = { customerId: 'bob', text: '我的账单怎么这么高？', messageId: 'm-1' };
    const [a, b] = await Promise.all([postMessage(p.url, conv, body), postMessage(p.url, conv, body)]);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(a.body.messageId).toBe('m-1');
    await postMessage(p.url, conv, body);
    await waitForReplies(p.url, conv, 1);
    // A later, distinct message proves the workflow moved on without a second reply to m-1.
    await postMessage(p.url, conv, { customerId: 'bob', text: 'and my refund?', messageId: 'm-2' });
    const messages = await waitForReplies(p.url, conv, 2);
    expect(messages.filter((m) => m.role === 'customer').map((m) => m.text)).toEqual(['我的账单怎么这么高？', 'and my refund?']);
    expect(messages.filter((m) => m.role === 'bot').map((m) => m.text)).toEqual(['answer to: 我的账单怎么这么高？', 'answer to: and my refund?']);
  });

  it('when several messages arrive at once, then each gets exactly one reply in order', async () => {
    const conv = `c-${randomUUID()}`;
    for (const i of [1, 2, 3, 4, 5]) await postMessage(p.url, conv, { customerId: 'carol', text: `question ${i}` });
    const messages = await waitForReplies(p.url, conv, 5);
    expect(messages.filter((m) => m.role === 'bot').map((m) => m.text)).toEqual([1, 2, 3, 4, 5].map((i) => `answer to: question ${i}`));
  });

  it('when another customer posts into an existing conversation, then it is refused with 409', async () => {
    const conv = `c-${randomUUID()}`;
    await postMessage(p.url, conv, { customerId: 'dave', text: 'hello' });
    const res = await postMessage(p.url, conv, { customerId: 'mallory', text: 'let me in' });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ error: { code: 'conversation_owned', message: expect.any(String) } });
  });

  it('when a client follows the event stream, then it receives the customer message and the reply', async () => {
    const conv = `c-${randomUUID()}`;
    const controller = new AbortController();
    const res = await fetch(`${p.url}/v1/conversations/${conv}/events`, { signal: controller.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    await postMessage(p.url, conv, { customerId: 'erin', text: 'stream me' });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    const deadline = Date.now() + 20_000;
    while (!text.includes('answer to: stream me') && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    controller.abort();
    const events = text.split('\n\n').filter((e) => e.includes('event: message')).map((e) => JSON.parse(e.split('data: ')[1] as string) as { role: string; text: string });
    expect(events.map((e) => [e.role, e.text])).toEqual([
      ['customer', 'stream me'],
      ['bot', 'answer to: stream me'],
    ]);
  });

  it('when /healthz is called, then it reports the database and Temporal reachable', async () => {
    const res = await fetch(`${p.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', database: true, temporal: true });
  });

  describe('bad input gets a 4xx with an error code and stores nothing', () => {
    const long = 'x'.repeat(8001);
    const cases: [string, unknown, Record<string, string> | undefined, number, string][] = [
      ['invalid JSON', '{"customerId": "a", "text": ', undefined, 400, 'invalid_json'],
      ['missing customerId', { text: 'hi' }, undefined, 400, 'invalid_request'],
      ['missing text', { customerId: 'a' }, undefined, 400, 'invalid_request'],
      ['empty text', { customerId: 'a', text: '   ' }, undefined, 400, 'invalid_request'],
      ['text over 8,000 characters', { customerId: 'a', text: long }, undefined, 400, 'invalid_request'],
      ['wrong field type', { customerId: 'a', text: 42 }, undefined, 400, 'invalid_request'],
      ['unknown language', { customerId: 'a', text: 'hi', language: 'fr' }, undefined, 400, 'invalid_request'],
      ['unknown field', { customerId: 'a', text: 'hi', admin: true }, undefined, 400, 'invalid_request'],
      ['a JSON array', [1, 2], undefined, 400, 'invalid_request'],
      ['empty body', '', undefined, 400, 'invalid_json'],
      ['oversized body', { customerId: 'a', text: 'y'.repeat(70_000) }, undefined, 413, 'payload_too_large'],
      ['unknown content type', 'customerId=a&text=hi', { 'content-type': 'application/x-www-form-urlencoded' }, 415, 'unsupported_media_type'],
      ['text/plain', 'hello', { 'content-type': 'text/plain' }, 415, 'unsupported_media_type'],
    ];
    it.each(cases)('when the body is %s, then it is refused', async (_name, body, headers, status, code) => {
      const conv = `bad-${randomUUID()}`;
      const res = await postMessage(p.url, conv, body, headers ?? { 'content-type': 'application/json' });
      expect(res.status).toBe(status);
      expect(res.body).toEqual({ error: { code, message: expect.any(String) } });
      expect(await getMessages(p.url, conv)).toEqual([]);
      expect(await p.store.getConversation(conversationKey('web', conv))).toBeNull();
    });

    it('when the conversation id has illegal characters, then it is refused', async () => {
      const res = await postMessage(p.url, 'bad id with spaces', { customerId: 'a', text: 'hi' });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: { code: 'invalid_request', message: expect.stringContaining('conversationId') } });
    });

    it('when the route does not exist, then 404 comes in the same error shape', async () => {
      const res = await fetch(`${p.url}/v1/nope`);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
    });
  });
});
