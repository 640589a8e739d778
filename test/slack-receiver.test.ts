import Fastify, { type FastifyInstance } from 'fastify';
import { App } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../core/logger.js';
import { loadConfig } from '../core/config.js';
import type { Db } from '../core/db/types.js';
import { createStore } from '../core/store/index.js';
import { dedupeSlackDeliveries } from '../bots/slack/dedupe.js';
import { GatewayReceiver } from '../bots/slack/receiver.js';
import { registerSlackRoutes } from '../bots/slack/routes.js';
import { checkSlackSignature, signSlackBody } from '../bots/slack/verify.js';
import { openTestDatabase } from './helpers/databases.js';
import { blockAction, messageEvent, postToSlackEndpoint, slashCommand } from './helpers/slack.js';
import { startFakeSlackApi, type FakeSlackApi } from './fakes/slack-api.js';

const SECRET = 'receiver-test-secret';

describe('Slack signature', () => {
  const body = Buffer.from('{"type":"event_callback"}');
  const now = 1_700_000_000_000;
  const headers = signSlackBody(SECRET, body.toString(), now / 1000);
  const check = (over: Partial<Parameters<typeof checkSlackSignature>[0]>) =>
    checkSlackSignature({ signingSecret: SECRET, rawBody: body, timestamp: headers['x-slack-request-timestamp'], signature: headers['x-slack-signature'], nowMs: now, ...over });

  it('when the body and timestamp are signed with the secret, then the request is genuine', () => {
    expect(check({})).toBeUndefined();
  });
  it('when the timestamp is more than five minutes old or ahead, then the request is stale', () => {
    expect(check({ nowMs: now + 5 * 60_000 + 1000 })).toBe('stale');
    expect(check({ nowMs: now - 5 * 60_000 - 1000 })).toBe('stale');
    expect(check({ nowMs: now + 4 * 60_000 })).toBeUndefined();
  });
  it('when one byte of the body differs, then the signature does not match', () => {
    expect(check({ rawBody: Buffer.from('{"type":"event_callback "}') })).toBe('mismatch');
  });
  it('when the headers are missing, then the request is refused as unsigned', () => {
    expect(check({ signature: undefined })).toBe('missing');
  });
});

describe('Slack receiver on the gateway', () => {
  let db: Db;
  let server: FastifyInstance;
  let url: string;
  let fake: FakeSlackApi;
  let receiver: GatewayReceiver;
  const seen = { messages: [] as string[], actions: [] as string[] };

  beforeAll(async () => {
    fake = await startFakeSlackApi();
    db = await openTestDatabase('pglite');
    const store = createStore(db);
    const logger = createLogger(loadConfig({ LOG_LEVEL: 'silent' }));
    receiver = new GatewayReceiver({ signingSecret: SECRET, logger });
    const app = new App({
      receiver,
      authorize: async () => ({ botToken: 'xoxb-test', botId: 'BKEFU', botUserId: 'UKEFUBOT' }),
      clientOptions: { slackApiUrl: fake.url },
    });
    app.use(dedupeSlackDeliveries(store, logger));
    app.event('message', async ({ event }) => {
      seen.messages.push((event as { text?: string }).text ?? '');
    });
    app.action('kefu_claim', async ({ ack, action }) => {
      await ack();
      seen.actions.push((action as { value?: string }).value ?? '');
    });
    app.command('/kefu', async ({ ack }) => {
      await ack({ response_type: 'ephemeral', text: 'queue status' });
    });
    server = Fastify();
    // A JSON body parser on the root, as the gateway has: the Slack route must still see raw bytes.
    registerSlackRoutes(server, receiver);
    await server.listen({ host: '127.0.0.1', port: 0 });
    const addr = server.server.address();
    url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
    await fake?.close();
  });

  it('when Slack verifies the URL, then the challenge is echoed', async () => {
    const r = await postToSlackEndpoint(url, SECRET, { json: { type: 'url_verification', challenge: 'abc123', token: 'x' } });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ challenge: 'abc123' });
  });

  it('when a request is unsigned, stale or tampered with, then it is refused with 401 and no listener runs', async () => {
    const before = seen.messages.length;
    const event = messageEvent({ channel: 'C1', user: 'U1', text: 'forged', ts: '1.1' });
    expect((await postToSlackEndpoint(url, SECRET, event, { unsigned: true })).status).toBe(401);
    expect((await postToSlackEndpoint(url, SECRET, event, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 })).status).toBe(401);
    expect((await postToSlackEndpoint(url, SECRET, event, { signBody: '{"other":"body"}' })).status).toBe(401);
    expect((await postToSlackEndpoint(url, 'wrong-secret', event)).status).toBe(401);
    await receiver.drain();
    expect(seen.messages.length).toBe(before);
  });

  it('when Slack retries an event (X-Slack-Retry-Num), then the listener runs once', async () => {
    const event = messageEvent({ channel: 'C1', user: 'U1', text: 'hello once', ts: '2.2', eventId: 'EvRetry1' });
    expect((await postToSlackEndpoint(url, SECRET, event)).status).toBe(200);
    await receiver.drain();
    expect((await postToSlackEndpoint(url, SECRET, event, { retryNum: 1 })).status).toBe(200);
    expect((await postToSlackEndpoint(url, SECRET, event, { retryNum: 2 })).status).toBe(200);
    await receiver.drain();
    expect(seen.messages.filter((t) => t === 'hello once')).toHaveLength(1);
  });

  it('when a button is clicked (form-encoded payload), then its action listener gets the value', async () => {
    const click = blockAction({ user: 'U1', channel: 'C1', messageTs: '3.3', actionId: 'kefu_claim', value: 'h-42', triggerId: 'trig-1' });
    expect((await postToSlackEndpoint(url, SECRET, click)).status).toBe(200);
    expect((await postToSlackEndpoint(url, SECRET, click, { retryNum: 1 })).status).toBe(200);
    await receiver.drain();
    expect(seen.actions).toEqual(['h-42']);
  });

  it('when the slash command is used, then its ephemeral answer is the HTTP response', async () => {
    const r = await postToSlackEndpoint(url, SECRET, slashCommand({ user: 'U1' }));
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ response_type: 'ephemeral', text: 'queue status' });
  });
});
