/**
 * A fake OpenAI-compatible server for tests: a real HTTP server on 127.0.0.1 (random port), so the code under
 * test goes through the real `openai` client and `@langchain/openai` (request building, SSE parsing, retries).
 *
 *   const fake = await startFakeOpenAI();
 *   const model = new ChatOpenAI({ model: 'gpt-4o-mini', apiKey: 'test', configuration: { baseURL: fake.baseURL } });
 *   fake.script({ content: '你好' });                         // next chat completion answers "你好"
 *   fake.script({ status: 429, headers: { 'retry-after': '0' } }, { content: 'ok' });   // rate limited, then ok
 *   fake.script((req) => ({ content: `echo: ${promptText(req)}` }));                      // computed reply
 *   …
 *   expect(promptText(fake.chatRequests()[0]!)).toContain('退款');
 *   await fake.close();
 *
 * Endpoints
 * - POST /v1/chat/completions — non-streaming, and streaming (SSE `chat.completion.chunk`s, then `data: [DONE]`)
 *   when the request has `stream: true`; usage chunk when `stream_options.include_usage` is set.
 * - POST /v1/embeddings — `float` or `base64` encoding (the openai client asks for base64 by default).
 *
 * Scripting: `script(...)` queues one reply per chat request (FIFO). A reply is one of
 *   { content }                      assistant text
 *   { toolCalls: [{ name, arguments }] }   assistant tool calls (arguments: object or raw string)
 *   { structured: value }            what withStructuredOutput expects: a tool call when the request forces a tool
 *                                    (method functionCalling), JSON content otherwise (jsonSchema / jsonMode)
 *   { status, error?, headers? }     an OpenAI-style error response, e.g. 429 with { 'retry-after': '0' }, 500
 *   { malformed: 'text' }            a 200 (or `status`) response whose body is the text as is
 * each optionally with `delayMs` (wait before answering — for client timeouts) and, when streaming,
 * `chunkDelayMs` (wait between chunks). A function `(request) => reply` may be queued instead of a reply.
 * When the queue is empty the `fallback(handler)` answers; without one the request gets a 400 naming the problem
 * (400 is not retried by the clients, so a missing script fails the test at once instead of backing off).
 * Embeddings: `scriptEmbeddings(...)` likewise; unscripted embedding requests get deterministic vectors derived
 * from the text (same text → same vector), `dimensions` long (default 16).
 *
 * Every request is recorded in `requests` (parsed body, headers, path) before it is answered.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

const chatBodySchema = z.looseObject({
  model: z.string(),
  messages: z.array(z.looseObject({ role: z.string(), content: z.unknown().optional() })),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  tools: z
    .array(z.looseObject({ type: z.string(), function: z.looseObject({ name: z.string(), parameters: z.unknown().optional() }) }))
    .nullish(),
  tool_choice: z.unknown().optional(),
  response_format: z.looseObject({ type: z.string(), json_schema: z.looseObject({ name: z.string(), schema: z.unknown() }).optional() }).nullish(),
});
export type ChatRequestBody = z.output<typeof chatBodySchema>;

const embeddingsBodySchema = z.looseObject({
  model: z.string(),
  input: z.union([z.string(), z.array(z.string()), z.array(z.number()), z.array(z.array(z.number()))]),
  encoding_format: z.enum(['float', 'base64']).nullish(),
  dimensions: z.number().int().positive().nullish(),
});
export type EmbeddingsRequestBody = z.output<typeof embeddingsBodySchema>;

interface RequestMeta {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  receivedAt: number;
}
export type ChatRequest = RequestMeta & { kind: 'chat'; body: ChatRequestBody };
export type EmbeddingsRequest = RequestMeta & { kind: 'embeddings'; body: EmbeddingsRequestBody };
export type RecordedRequest = ChatRequest | EmbeddingsRequest | (RequestMeta & { kind: 'other' });

interface Timing {
  /** Wait this long before answering (the client may time out first). */
  delayMs?: number;
  /** Streaming only: wait between chunks. */
  chunkDelayMs?: number;
}
export interface ToolCallReply {
  name: string;
  arguments: string | Record<string, unknown>;
  id?: string;
}
export interface ErrorReply {
  status: number;
  error?: { message?: string; type?: string; code?: string | null };
  headers?: Record<string, string>;
}
export interface MalformedReply {
  malformed: string;
  status?: number;
  contentType?: string;
}
export type ChatReply = Timing &
  ({ content: string } | { toolCalls: ToolCallReply[] } | { structured: unknown } | ErrorReply | MalformedReply);
export type EmbeddingsReply = Timing & ({ embeddings: number[][] } | ErrorReply | MalformedReply);

export type ChatHandler = (request: ChatRequest) => ChatReply | Promise<ChatReply>;
export type EmbeddingsHandler = (request: EmbeddingsRequest) => EmbeddingsReply | Promise<EmbeddingsReply>;

export interface FakeOpenAI {
  /** Base URL including /v1, for `configuration.baseURL` / OPENAI_BASE_URL. */
  baseURL: string;
  /** Every request received, in arrival order. */
  requests: RecordedRequest[];
  chatRequests(): ChatRequest[];
  embeddingRequests(): EmbeddingsRequest[];
  /** Queue replies (or one-shot handlers) for the next chat completion requests. */
  script(...replies: (ChatReply | ChatHandler)[]): void;
  /** Answers chat requests once the queue is empty. */
  fallback(handler: ChatHandler | undefined): void;
  scriptEmbeddings(...replies: (EmbeddingsReply | EmbeddingsHandler)[]): void;
  /** Scripted chat replies not consumed yet (a test can assert it used everything it scripted). */
  pending(): number;
  /** Clears the queues, the fallback and the recorded requests. */
  reset(): void;
  close(): Promise<void>;
}

/** All text of a chat request's messages, joined: handy for asserting what the prompt contained. */
export function promptText(request: ChatRequest): string {
  return request.body.messages.map((m) => contentText(m.content)).join('\n');
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part: unknown) => (typeof part === 'object' && part !== null && 'text' in part && typeof part.text === 'string' ? part.text : ''))
      .join('');
  }
  return '';
}

/** Deterministic pseudo-embedding: hash-seeded, unit length. */
export function fakeEmbedding(text: string, dimensions = 16): number[] {
  let seed = 2166136261;
  for (const ch of text) seed = Math.imul(seed ^ (ch.codePointAt(0) ?? 0), 16777619) >>> 0;
  const vector = Array.from({ length: dimensions }, () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32 - 0.5;
  });
  const norm = Math.hypot(...vector) || 1;
  return vector.map((v) => v / norm);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function sendError(res: ServerResponse, reply: ErrorReply): void {
  const error = {
    message: reply.error?.message ?? `fake-openai scripted HTTP ${reply.status}`,
    type: reply.error?.type ?? (reply.status === 429 ? 'rate_limit_exceeded' : 'server_error'),
    code: reply.error?.code ?? null,
    param: null,
  };
  sendJson(res, reply.status, { error }, reply.headers);
}

function sendMalformed(res: ServerResponse, reply: MalformedReply): void {
  if (res.destroyed) return;
  res.writeHead(reply.status ?? 200, { 'content-type': reply.contentType ?? 'application/json' });
  res.end(reply.malformed);
}

/** The tool a request forces (`tool_choice: {type:'function', function:{name}}`), else its only tool. */
function forcedToolName(body: ChatRequestBody): string | undefined {
  const choice = body.tool_choice;
  if (typeof choice === 'object' && choice !== null && 'function' in choice) {
    const fn = choice.function;
    if (typeof fn === 'object' && fn !== null && 'name' in fn && typeof fn.name === 'string') return fn.name;
  }
  if (body.response_format) return undefined;
  return body.tools?.length === 1 ? body.tools[0]?.function.name : undefined;
}

type Message = { content: string | null; toolCalls: { id: string; name: string; arguments: string }[] };

function toMessage(reply: { content: string } | { toolCalls: ToolCallReply[] } | { structured: unknown }, body: ChatRequestBody, nextId: () => string): Message {
  if ('content' in reply) return { content: reply.content, toolCalls: [] };
  if ('toolCalls' in reply) {
    return {
      content: null,
      toolCalls: reply.toolCalls.map((t) => ({
        id: t.id ?? `call_${nextId()}`,
        name: t.name,
        arguments: typeof t.arguments === 'string' ? t.arguments : JSON.stringify(t.arguments),
      })),
    };
  }
  const tool = forcedToolName(body);
  const json = JSON.stringify(reply.structured);
  return tool ? { content: null, toolCalls: [{ id: `call_${nextId()}`, name: tool, arguments: json }] } : { content: json, toolCalls: [] };
}

function approxTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/** Splits into pieces of a few code points so streaming clients see several deltas (CJK-safe). */
function pieces(text: string, size = 4): string[] {
  const points = [...text];
  const out: string[] = [];
  for (let i = 0; i < points.length; i += size) out.push(points.slice(i, i + size).join(''));
  return out.length > 0 ? out : [''];
}

export async function startFakeOpenAI(): Promise<FakeOpenAI> {
  const requests: RecordedRequest[] = [];
  let chatQueue: (ChatReply | ChatHandler)[] = [];
  let embeddingQueue: (EmbeddingsReply | EmbeddingsHandler)[] = [];
  let chatFallback: ChatHandler | undefined;
  let counter = 0;
  const nextId = () => `fake${(counter += 1)}`;

  async function answerChat(res: ServerResponse, request: ChatRequest): Promise<void> {
    const next = chatQueue.shift() ?? chatFallback;
    if (!next) {
      sendError(res, { status: 400, error: { message: 'fake-openai: no scripted reply for this chat completion request', type: 'invalid_request_error' } });
      return;
    }
    const reply = typeof next === 'function' ? await next(request) : next;
    if (reply.delayMs) await sleep(reply.delayMs);
    if ('status' in reply && !('malformed' in reply)) return sendError(res, reply);
    if ('malformed' in reply) return sendMalformed(res, reply);

    const body = request.body;
    const message = toMessage(reply, body, nextId);
    const id = `chatcmpl-${nextId()}`;
    const created = Math.floor(Date.now() / 1000);
    const finishReason = message.toolCalls.length > 0 ? 'tool_calls' : 'stop';
    const promptTokens = approxTokens(promptText(request));
    const completionTokens = approxTokens((message.content ?? '') + message.toolCalls.map((t) => t.arguments).join(''));
    const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };

    if (!body.stream) {
      sendJson(res, 200, {
        id,
        object: 'chat.completion',
        created,
        model: body.model,
        choices: [{
          index: 0,
          message: {
            role: 'assistant',
            content: message.content,
            refusal: null,
            ...(message.toolCalls.length > 0
              ? { tool_calls: message.toolCalls.map((t) => ({ id: t.id, type: 'function', function: { name: t.name, arguments: t.arguments } })) }
              : {}),
          },
          logprobs: null,
          finish_reason: finishReason,
        }],
        usage,
      });
      return;
    }

    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const send = async (delta: Record<string, unknown>, finish: string | null = null) => {
      if (res.destroyed) return;
      res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: body.model,
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`);
      if (reply.chunkDelayMs) await sleep(reply.chunkDelayMs);
    };
    await send({ role: 'assistant', content: message.content === null ? null : '' });
    if (message.content !== null) for (const piece of pieces(message.content)) await send({ content: piece });
    for (const [index, call] of message.toolCalls.entries()) {
      await send({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] });
      for (const piece of pieces(call.arguments, 8)) await send({ tool_calls: [{ index, function: { arguments: piece } }] });
    }
    await send({}, finishReason);
    if (res.destroyed) return;
    if (body.stream_options?.include_usage) {
      res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: body.model, choices: [], usage })}\n\n`);
    }
    res.end('data: [DONE]\n\n');
  }

  async function answerEmbeddings(res: ServerResponse, request: EmbeddingsRequest): Promise<void> {
    const body = request.body;
    const inputs = typeof body.input === 'string' ? [body.input] : body.input.map((i) => (typeof i === 'string' ? i : JSON.stringify(i)));
    const next = embeddingQueue.shift();
    const reply: EmbeddingsReply = next === undefined
      ? { embeddings: inputs.map((text) => fakeEmbedding(text, body.dimensions ?? 16)) }
      : typeof next === 'function' ? await next(request) : next;
    if (reply.delayMs) await sleep(reply.delayMs);
    if ('status' in reply && !('malformed' in reply)) return sendError(res, reply);
    if ('malformed' in reply) return sendMalformed(res, reply);
    const encode = (vector: number[]) =>
      body.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
    sendJson(res, 200, {
      object: 'list',
      data: reply.embeddings.map((vector, index) => ({ object: 'embedding', index, embedding: encode(vector) })),
      model: body.model,
      usage: { prompt_tokens: approxTokens(inputs.join('')), total_tokens: approxTokens(inputs.join('')) },
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawBody = await readBody(req);
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const meta: RequestMeta = { method: req.method ?? 'GET', path, headers: req.headers, rawBody, receivedAt: Date.now() };
    let json: unknown;
    try {
      json = rawBody ? JSON.parse(rawBody) : undefined;
    } catch {
      json = undefined;
    }
    const route = req.method === 'POST' ? path : '';
    if (route === '/v1/chat/completions') {
      const parsed = chatBodySchema.safeParse(json);
      if (!parsed.success) {
        requests.push({ ...meta, kind: 'other' });
        return sendError(res, { status: 400, error: { message: `fake-openai: bad chat request: ${parsed.error.message}`, type: 'invalid_request_error' } });
      }
      const request: ChatRequest = { ...meta, kind: 'chat', body: parsed.data };
      requests.push(request);
      return answerChat(res, request);
    }
    if (route === '/v1/embeddings') {
      const parsed = embeddingsBodySchema.safeParse(json);
      if (!parsed.success) {
        requests.push({ ...meta, kind: 'other' });
        return sendError(res, { status: 400, error: { message: `fake-openai: bad embeddings request: ${parsed.error.message}`, type: 'invalid_request_error' } });
      }
      const request: EmbeddingsRequest = { ...meta, kind: 'embeddings', body: parsed.data };
      requests.push(request);
      return answerEmbeddings(res, request);
    }
    requests.push({ ...meta, kind: 'other' });
    sendError(res, { status: 404, error: { message: `fake-openai: no route ${req.method} ${path}`, type: 'invalid_request_error' } });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      sendError(res, { status: 500, error: { message: `fake-openai handler failed: ${err instanceof Error ? err.message : String(err)}` } });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    chatRequests: () => requests.filter((r): r is ChatRequest => r.kind === 'chat'),
    embeddingRequests: () => requests.filter((r): r is EmbeddingsRequest => r.kind === 'embeddings'),
    script: (...replies) => {
      chatQueue.push(...replies);
    },
    fallback: (handler) => {
      chatFallback = handler;
    },
    scriptEmbeddings: (...replies) => {
      embeddingQueue.push(...replies);
    },
    pending: () => chatQueue.length,
    reset: () => {
      chatQueue = [];
      embeddingQueue = [];
      chatFallback = undefined;
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        // Delayed replies keep sockets open; drop them so close() never waits on a test's artificial delay.
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
