import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../bots/console/password.js';
import { conversationKey } from '../core/domain.js';
import { createIntentAnswerer } from './helpers/console.js';
import { ConsoleClient } from './helpers/console-client.js';
import { eventually, postMessage, startTestPlatform, waitForReplies, type TestPlatform } from './helpers/platform.js';

const UI = 'http://127.0.0.1:8233';

describe('ops console API', () => {
  let p: TestPlatform;
  const customer = `cust-${randomUUID().slice(0, 8)}`;
  const conversations = [`c-${randomUUID()}`, `c-${randomUUID()}`];

  beforeAll(async () => {
    const adminHash = await hashPassword('admin-pass-123', { N: 1024, r: 8, p: 1 });
    p = await startTestPlatform({
      answerer: createIntentAnswerer(),
      env: {
        CONSOLE_USERS: `sam:supervisor:sam-pass-123,ada:agent:ada-pass-123,root:admin:${adminHash}`,
        TEMPORAL_UI_URL: UI,
        METRICS_TOKEN: 'metrics-secret',
        WIDGET_ORIGINS: 'https://shop.example.com',
      },
    });
    await postMessage(p.url, conversations[0]!, { customerId: customer, text: 'Where is my refund?' });
    await postMessage(p.url, conversations[1]!, { customerId: 'someone-else', text: '我的包裹在哪里？' });
    await waitForReplies(p.url, conversations[0]!, 1);
    await waitForReplies(p.url, conversations[1]!, 1);
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('when nobody is signed in, then every API answers 401', async () => {
    const anonymous = new ConsoleClient(p.url);
    for (const path of ['/session', '/overview', '/conversations', `/conversations/${encodeURIComponent(conversationKey('web', conversations[0]!))}`, '/admin/sessions']) {
      expect((await anonymous.get(path)).status, path).toBe(401);
    }
  });

  it('when the password or the user name is wrong, then sign-in is refused with 401 and no cookie', async () => {
    const c = new ConsoleClient(p.url);
    const wrongPassword = await c.login('sam', 'not-the-password');
    expect(wrongPassword.status).toBe(401);
    expect(wrongPassword.body).toMatchObject({ error: { code: 'invalid_credentials' } });
    expect(wrongPassword.setCookie).toBeUndefined();
    expect((await c.login('nobody', 'sam-pass-123')).status).toBe(401);
  });

  it('when a supervisor signs in, then the cookie is HttpOnly, SameSite=Strict and valid on the whole gateway (inbox, QA, risk too)', async () => {
    const c = new ConsoleClient(p.url);
    const res = await c.login('sam', 'sam-pass-123');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ user: { name: 'sam', role: 'supervisor' } });
    expect(res.setCookie).toMatch(/^kefu_console=[\w-]{40,};/);
    expect(res.setCookie).toContain('HttpOnly');
    expect(res.setCookie).toContain('SameSite=Strict');
    expect(res.setCookie).toContain('Path=/;');
    // The cookie earlier versions scoped to /console is cleared, so the browser does not keep sending it first.
    expect(res.setCookies).toContainEqual(expect.stringMatching(/^kefu_console=; Path=\/console; Max-Age=0/));
    const session = await c.get('/session');
    expect(session.body).toMatchObject({ user: { name: 'sam', role: 'supervisor' }, temporalUi: UI, filters: { intent: true, risk: true, qa: true } });
  });

  it('when a user hashed with kefu console hash-password signs in, then the hash is accepted', async () => {
    const c = new ConsoleClient(p.url);
    expect((await c.login('root', 'admin-pass-123')).status).toBe(200);
    expect((await c.get('/admin/sessions')).status).toBe(200);
  });

  it('when an agent asks for the overview or the admin pages, then the answer is 403 naming the role needed', async () => {
    const c = new ConsoleClient(p.url);
    await c.login('ada', 'ada-pass-123');
    const overview = await c.get('/overview');
    expect(overview.status).toBe(403);
    expect(overview.body).toMatchObject({ error: { code: 'forbidden', message: expect.stringContaining('supervisor') } });
    expect((await c.get('/admin/audit')).status).toBe(403);
    // Agents may search and read transcripts.
    expect((await c.get('/conversations')).status).toBe(200);
  });

  it('when conversations have been answered, then the overview counts them and their reply latency', async () => {
    const c = new ConsoleClient(p.url);
    await c.login('sam', 'sam-pass-123');
    const res = await c.get('/overview?period=1h');
    expect(res.status).toBe(200);
    const o = res.body as Record<string, { available: boolean; value?: Record<string, unknown> }>;
    expect(o.openConversations).toMatchObject({ available: true, value: { total: expect.any(Number) } });
    expect((o.openConversations!.value as { total: number }).total).toBeGreaterThanOrEqual(2);
    expect((o.replyLatency!.value as { replies: number }).replies).toBeGreaterThanOrEqual(2);
    expect(o.topIntents).toMatchObject({ available: true, value: expect.arrayContaining([expect.objectContaining({ intent: 'refund' })]) });
    for (const part of ['containment', 'handoffQueue', 'slaBreaches', 'firstContactResolution', 'riskEscalations', 'qaScores', 'volume', 'risingTopics']) {
      expect(o[part], part).toMatchObject({ available: true });
    }
    expect((await c.get('/overview?period=2y')).status).toBe(400);
  });

  it('when searching by customer and channel, then only that customer\'s conversation is found, and its transcript links to Temporal', async () => {
    const c = new ConsoleClient(p.url);
    await c.login('ada', 'ada-pass-123');
    const found = await c.get(`/conversations?customer=${customer}&channel=web`);
    expect(found.body).toMatchObject({ total: 1, conversations: [{ externalId: conversations[0], channel: 'web' }] });
    expect((await c.get(`/conversations?customer=${customer}&channel=teams`)).body).toMatchObject({ total: 0 });
    expect((await c.get('/conversations?intent=refund')).body).toMatchObject({ conversations: expect.arrayContaining([expect.objectContaining({ externalId: conversations[0] })]) });
    expect((await c.get('/conversations?qaMin=500')).status).toBe(400);

    const key = conversationKey('web', conversations[0]!);
    const detail = await c.get(`/conversations/${encodeURIComponent(key)}`);
    expect(detail.status).toBe(200);
    const d = detail.body as { messages: { role: string; text: string }[]; links: { workflow: string }; intents: { available: boolean } };
    expect(d.messages.map((m) => [m.role, m.text])).toEqual([['customer', 'Where is my refund?'], ['bot', 'answer to: Where is my refund?']]);
    expect(d.links.workflow).toBe(`${UI}/namespaces/default/workflows/${encodeURIComponent(key)}`);
    expect((await c.get(`/conversations/${encodeURIComponent('conv:web:nope')}`)).status).toBe(404);
  });

  it('when a change comes without the CSRF token, then it is refused; with it, the supervisor closes the conversation', async () => {
    const c = new ConsoleClient(p.url);
    await c.login('sam', 'sam-pass-123');
    const key = conversationKey('web', conversations[1]!);
    const close = `/conversations/${encodeURIComponent(key)}/close`;
    const without = await c.post(close, {}, { csrf: false });
    expect(without.status).toBe(403);
    expect(without.body).toMatchObject({ error: { code: 'csrf_token_invalid' } });

    const agent = new ConsoleClient(p.url);
    await agent.login('ada', 'ada-pass-123');
    expect((await agent.post(close, {})).status).toBe(403);

    expect((await c.post(close, { reason: 'test' })).status).toBe(200);
    await eventually(async () => ((await p.store.getConversation(key))?.status === 'closed' ? true : undefined), 20_000, 'conversation closed');
    const admin = new ConsoleClient(p.url);
    await admin.login('root', 'admin-pass-123');
    const audit = (await admin.get('/admin/audit')).body as { entries: { action: string; username: string; target: string | null }[] };
    expect(audit.entries).toContainEqual(expect.objectContaining({ action: 'close_conversation', username: 'sam', target: key }));
    expect(audit.entries).toContainEqual(expect.objectContaining({ action: 'login_failed', username: 'sam' }));
  });

  it('when signing out or when an admin revokes a session, then that session no longer works', async () => {
    const c = new ConsoleClient(p.url);
    await c.login('ada', 'ada-pass-123');
    expect((await c.post('/logout', {})).status).toBe(204);
    expect((await c.get('/session')).status).toBe(401);

    const victim = new ConsoleClient(p.url);
    await victim.login('ada', 'ada-pass-123');
    const admin = new ConsoleClient(p.url);
    await admin.login('root', 'admin-pass-123');
    const sessions = (await admin.get('/admin/sessions')).body as { sessions: { id: string; username: string; createdAt: string }[] };
    const target = sessions.sessions.filter((s) => s.username === 'ada').sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0]!;
    expect(JSON.stringify(sessions)).not.toContain('csrf');
    expect((await admin.post(`/admin/sessions/${target.id}/revoke`, {})).status).toBe(200);
    expect((await victim.get('/session')).status).toBe(401);
  });

  it('when a session outlives its time to live, then it is refused', async () => {
    const token = randomUUID();
    const { createHash } = await import('node:crypto');
    await p.store.createConsoleSession({
      tokenHash: createHash('sha256').update(token).digest('hex'), id: randomUUID(), username: 'sam', role: 'supervisor', csrfToken: 'x', ttlMs: 300,
    });
    const c = new ConsoleClient(p.url, `kefu_console=${token}`);
    expect((await c.get('/session')).status).toBe(200);
    await eventually(async () => ((await c.get('/session')).status === 401 ? true : undefined), 5000, 'session expiry');
  });

  it('when Prometheus scrapes /metrics with the token, then message, latency and Temporal worker series are there', async () => {
    expect((await fetch(`${p.url}/metrics`)).status).toBe(401);
    const res = await fetch(`${p.url}/metrics`, { headers: { authorization: 'Bearer metrics-secret' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(/^kefu_messages_inbound_total\{channel="web"\} [1-9]/m);
    expect(text).toMatch(/^kefu_reply_latency_seconds_count\{channel="web"\} [1-9]/m);
    expect(text).toMatch(/^kefu_deliveries_total\{channel="web",role="bot"\} [1-9]/m);
    expect(text).toMatch(/^kefu_conversations_open\{status="bot"\} \d+/m);
    expect(text).toMatch(/^kefu_http_request_duration_seconds_count\{route="\/v1\/conversations\/:conversationId\/messages",method="POST",status="202"\} [1-9]/m);
    // The Temporal SDK's own worker metrics, merged from its exporter.
    expect(text).toMatch(/^temporal_\w+/m);
  });

  it('when the widget is embedded on an allowed site, then the REST channel answers its preflight; other sites get no CORS', async () => {
    const url = `${p.url}/v1/conversations/x/messages`;
    const allowed = await fetch(url, { method: 'OPTIONS', headers: { origin: 'https://shop.example.com', 'access-control-request-method': 'POST' } });
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://shop.example.com');
    const other = await fetch(url, { method: 'OPTIONS', headers: { origin: 'https://evil.example.net', 'access-control-request-method': 'POST' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();

    const widget = await fetch(`${p.url}/widget.js`);
    expect(widget.headers.get('content-type')).toContain('javascript');
    expect(await widget.text()).toContain('data-kefu-url');
    const demo = await (await fetch(`${p.url}/demo`)).text();
    expect(demo).toContain('<script src="/widget.js"');
    const page = await fetch(`${p.url}/console/`);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
  });
});
