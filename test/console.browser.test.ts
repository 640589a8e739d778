import { existsSync, mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIntentAnswerer } from './helpers/console.js';
import { postMessage, startTestPlatform, waitForReplies, type TestPlatform } from './helpers/platform.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = 'test-results/screenshots';
// In CI the browser is installed by .ci/run, so a missing one is a failure there; elsewhere the suite is skipped.
const skip = !existsSync(CHROMIUM) && !process.env.CI;

describe.skipIf(skip)('ops console and chat widget in Chromium', () => {
  let p: TestPlatform;
  let browser: Browser;
  const customer = `alice-${randomUUID().slice(0, 6)}`;
  const seeded = [`s-${randomUUID()}`, `s-${randomUUID()}`, `s-${randomUUID()}`];

  const shot = (page: Page, name: string) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });

  async function signIn(context: BrowserContext, username: string, password: string): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${p.url}/console/`);
    await page.waitForURL(/\/console\/login\.html/);
    await page.fill('#username', username);
    await page.fill('#password', password);
    await page.click('#sign-in');
    return page;
  }

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    p = await startTestPlatform({
      answerer: createIntentAnswerer(),
      env: { CONSOLE_USERS: 'sam:supervisor:sam-pass-123,ada:agent:ada-pass-123', TEMPORAL_UI_URL: 'http://127.0.0.1:8233' },
    });
    const texts = ['Where is my refund?', '我的包裹在哪里？', 'Why is my bill so high?'];
    await Promise.all(seeded.map((id, i) => postMessage(p.url, id, { customerId: i === 0 ? customer : `c-${i}`, text: texts[i] })));
    await Promise.all(seeded.map((id) => waitForReplies(p.url, id, 1)));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await p?.stop();
  });

  it('when the password is wrong, then the sign-in page says so and stays', async () => {
    const context = await browser.newContext();
    const page = await signIn(context, 'sam', 'wrong-password');
    await expect.poll(() => page.locator('#login-error').textContent()).toContain('Wrong user name or password');
    expect(page.url()).toContain('/console/login.html');
    await shot(page, 'login-wrong-password');
    await context.close();
  });

  it('when an agent opens the overview, then the page shows that the supervisor role is needed', async () => {
    const context = await browser.newContext();
    const page = await signIn(context, 'ada', 'ada-pass-123');
    await page.waitForURL(/\/console\/#?/);
    await expect.poll(() => page.locator('#page-error').textContent(), { timeout: 10_000 }).toContain('supervisor');
    expect(await page.locator('#page-error').isVisible()).toBe(true);
    await shot(page, 'overview-agent-refused');
    await context.close();
  });

  it('when a supervisor signs in, then the overview shows the seeded conversations; search finds one and opens its transcript', async () => {
    const context = await browser.newContext();
    const page = await signIn(context, 'sam', 'sam-pass-123');
    await expect.poll(async () => Number(await page.getByTestId('open-conversations').textContent()), { timeout: 10_000 }).toBeGreaterThanOrEqual(seeded.length);
    await expect.poll(() => page.getByTestId('chart-intents').textContent()).toContain('refund_status');
    expect(await page.locator('#who').textContent()).toBe('sam · supervisor');
    await shot(page, 'overview');

    await page.click('a[data-nav="conversations"]');
    await page.fill('input[name="customer"]', customer);
    await page.getByTestId('search').click();
    await expect.poll(() => page.getByTestId('conversation-row').count()).toBe(1);
    await shot(page, 'search');

    await page.getByTestId('conversation-row').click();
    await expect.poll(() => page.getByTestId('msg-bot').first().textContent()).toContain('answer to: Where is my refund?');
    expect(await page.getByTestId('msg-customer').first().textContent()).toContain('Where is my refund?');
    const temporal = page.getByRole('link', { name: 'Workflow in the Temporal UI' });
    expect(await temporal.getAttribute('href')).toBe(`http://127.0.0.1:8233/namespaces/default/workflows/${encodeURIComponent(`conv:web:${seeded[0]}`)}`);
    await shot(page, 'transcript');
    await context.close();
  });

  it('when a visitor uses the chat widget on the demo page, then the bot reply appears and the conversation survives a reload', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(`${p.url}/demo`);
    await page.locator('#kefu-widget .bubble').click();
    const input = page.locator('#kefu-widget textarea');
    expect(await input.getAttribute('placeholder')).toBe('Type your question…');
    await input.fill('How long does a refund take?');
    await input.press('Enter');
    const reply = page.locator('#kefu-widget .msg.bot', { hasText: 'answer to: How long does a refund take?' });
    await reply.waitFor({ timeout: 20_000 });
    await expect.poll(() => page.locator('#kefu-widget .msg.customer.pending').count()).toBe(0);
    await shot(page, 'widget');

    const keys = (await page.evaluate('Object.keys(localStorage)')) as string[];
    expect(keys.filter((k) => k.startsWith('kefu:')).map((k) => k.split(':').pop())).toEqual(expect.arrayContaining(['customer', 'conversation']));
    await page.reload();
    await page.locator('#kefu-widget .bubble').click();
    await page.locator('#kefu-widget .msg.bot', { hasText: 'answer to: How long does a refund take?' }).waitFor({ timeout: 10_000 });
    await context.close();
  });

  it('when the browser prefers Chinese, then the widget speaks Chinese', async () => {
    const context = await browser.newContext({ locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(`${p.url}/demo`);
    await page.locator('#kefu-widget .bubble').click();
    expect(await page.locator('#kefu-widget textarea').getAttribute('placeholder')).toBe('请输入您的问题…');
    await page.locator('#kefu-widget textarea').fill('退款多久到账？');
    await page.locator('#kefu-widget button[type="submit"]').click();
    await page.locator('#kefu-widget .msg.bot', { hasText: 'answer to: 退款多久到账？' }).waitFor({ timeout: 20_000 });
    await shot(page, 'widget-zh');
    await context.close();
  });
});
