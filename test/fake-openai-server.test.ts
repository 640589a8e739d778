import { AIMessageChunk } from '@langchain/core/messages';
import { ChatOpenAI, OpenAIEmbeddings } from '@langchain/openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeEmbedding, promptText, startFakeOpenAI, type FakeOpenAI } from './fakes/openai-server.js';

/** The fake is shared by other suites (RAG answer chain, QA judge): these tests pin its protocol behaviour. */
describe('fake OpenAI-compatible server', () => {
  let fake: FakeOpenAI;
  beforeAll(async () => {
    fake = await startFakeOpenAI();
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => fake.reset());

  const chat = (extra: { timeout?: number } = {}) =>
    new ChatOpenAI({ model: 'gpt-4o-mini', apiKey: 'test-key', maxRetries: 0, configuration: { baseURL: fake.baseURL }, ...extra });

  it('when a chat reply is scripted, then a non-streaming call returns it and the request is recorded', async () => {
    fake.script({ content: '您好，请问有什么可以帮您？' });
    const reply = await chat().invoke([['system', 'be brief'], ['human', '你好']]);
    expect(reply.content).toBe('您好，请问有什么可以帮您？');
    const [request] = fake.chatRequests();
    expect(request?.body.stream).toBe(false);
    expect(request?.headers.authorization).toBe('Bearer test-key');
    expect(promptText(request!)).toBe('be brief\n你好');
  });

  it('when the client streams, then the content arrives as several SSE deltas that add up to the scripted text', async () => {
    const text = '投资有风险，理财非存款。Investments carry risk.';
    fake.script({ content: text });
    const deltas: string[] = [];
    for await (const chunk of await chat().stream('hi')) if (typeof chunk.content === 'string' && chunk.content) deltas.push(chunk.content);
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.join('')).toBe(text);
    expect(fake.chatRequests()[0]?.body.stream).toBe(true);
  });

  it('when tool calls are scripted, then both streaming and non-streaming clients get parsed tool calls', async () => {
    const tool = { type: 'function' as const, function: { name: 'lookup_order', description: 'find an order', parameters: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } } };
    const model = chat().bindTools([tool]);
    fake.script({ toolCalls: [{ name: 'lookup_order', arguments: { id: 'A-17' } }] }, { toolCalls: [{ name: 'lookup_order', arguments: { id: 'B-2' } }] });

    const direct = await model.invoke('where is A-17?');
    expect(direct.tool_calls).toMatchObject([{ name: 'lookup_order', args: { id: 'A-17' } }]);

    let merged: AIMessageChunk | undefined;
    for await (const chunk of await model.stream('where is B-2?')) merged = merged ? merged.concat(chunk) : chunk;
    expect(merged?.tool_calls).toMatchObject([{ name: 'lookup_order', args: { id: 'B-2' } }]);
    expect(fake.chatRequests()[0]?.body.tools?.[0]?.function.name).toBe('lookup_order');
  });

  it('when embeddings are requested, then scripted vectors come back through base64 and unscripted ones are deterministic', async () => {
    const embeddings = new OpenAIEmbeddings({ model: 'text-embedding-3-small', apiKey: 'test-key', maxRetries: 0, configuration: { baseURL: fake.baseURL } });
    fake.scriptEmbeddings({ embeddings: [[0.5, -0.25, 1], [0, 0.125, -1]] });
    expect(await embeddings.embedDocuments(['a', 'b'])).toEqual([[0.5, -0.25, 1], [0, 0.125, -1]]);
    expect(fake.embeddingRequests()[0]?.body.encoding_format).toBe('base64');

    const [first] = await embeddings.embedDocuments(['退款']);
    const again = await embeddings.embedQuery('退款');
    expect(first).toHaveLength(16);
    expect(again).toEqual(first);
    expect(first?.[0]).toBeCloseTo(fakeEmbedding('退款')[0] ?? NaN, 6);
  });

  it('when float encoding is asked for, then plain arrays are returned', async () => {
    const res = await fetch(`${fake.baseURL}/embeddings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', input: 'x', encoding_format: 'float', dimensions: 4 }),
    });
    const body = (await res.json()) as { data: { embedding: number[] }[] };
    expect(body.data[0]?.embedding).toEqual(fakeEmbedding('x', 4));
  });

  it('when nothing is scripted, then the chat request gets a 400 that names the problem', async () => {
    await expect(chat().invoke('hi')).rejects.toThrow(/no scripted reply/);
  });

  it('when a reply is delayed past the client timeout, then the client times out and close() does not wait for the delay', async () => {
    fake.script({ delayMs: 5_000, content: 'too late' });
    await expect(chat({ timeout: 100 }).invoke('hi')).rejects.toThrow(/timed out/i);
    const other = await startFakeOpenAI();
    other.script({ delayMs: 5_000, content: 'never sent' });
    const pending = fetch(`${other.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }] }),
    }).catch((err: unknown) => err);
    await expect.poll(() => other.requests.length).toBe(1);
    const started = Date.now();
    await other.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await pending).toBeInstanceOf(Error);
  });

  it('when a malformed body or an error status is scripted, then the client sees a failure with that status', async () => {
    fake.script({ malformed: '{"choices": [' }, { status: 503, error: { message: 'overloaded' } });
    await expect(chat().invoke('hi')).rejects.toThrow();
    await expect(chat().invoke('hi')).rejects.toMatchObject({ status: 503 });
    expect(fake.pending()).toBe(0);
  });
});
