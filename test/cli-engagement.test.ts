import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { runKefu } from './helpers/kefu-cli.js';
import { createIntentAnswerer, createRecordingSender, seedWebCustomer } from './helpers/outreach.js';
import { startTestPlatform, type TestPlatform } from './helpers/platform.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const fixture = (p: string) => path.join(ROOT, 'test/fixtures', p);

const kefu = (args: string[], env: Record<string, string>) => runKefu(args, { env: { LOG_LEVEL: 'silent', ...env } });

describe('kefu customers import', () => {
  let dir: string;
  // A data folder (PGlite) and schema of its own: PostgreSQL when the run has DATABASE_URL.
  const db = () => ({ KEFU_DATA_DIR: dir, DATABASE_SCHEMA: `t_${randomUUID().replace(/-/g, '').slice(0, 12)}` });
  let env: Record<string, string>;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'kefu-crm-'));
    env = db();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // Three CLI processes on a file-backed PGlite database: slow to open, hence the long timeout.
  it('when a CSV has bad rows, then the report names each and why, the exit code is 1, and a second import changes nothing', { timeout: 240_000 }, async () => {
    const first = await kefu(['customers', 'import', fixture('crm/customers.csv')], env);
    expect(first.code).toBe(1);
    expect(first.stdout).toContain('7 row(s): 3 created, 0 updated, 0 unchanged, 4 rejected');
    expect(first.stdout).toContain('row 4 (C003): tier: "diamond" is not one of standard, silver, gold, platinum');
    expect(first.stdout).toContain('row 8 (C001): crmId: duplicate of row 2');
    expect(first.stdout).not.toMatch(/13800138000|wang\.fang@example\.com/i);

    const second = await kefu(['customers', 'import', fixture('crm/customers.csv'), '--json'], env);
    expect(second.code).toBe(1);
    const report = JSON.parse(second.stdout) as { created: number; updated: number; unchanged: number; rejected: unknown[] };
    expect([report.created, report.updated, report.unchanged, report.rejected.length]).toEqual([0, 0, 3, 4]);

    const shown = await kefu(['customers', 'show', 'crm:C001'], env);
    expect(shown.code).toBe(0);
    const profile = JSON.parse(shown.stdout) as { displayName: string; flags: { flag: string; reason: string; active: boolean }[] };
    expect(profile.displayName).toBe('王芳');
    expect(profile.flags).toContainEqual(expect.objectContaining({ flag: 'device_trade_in', active: true, reason: expect.stringMatching(/^device\.age_months = \d+ \(≥ 24\)/) }));
  });

  it('when the file has an unknown column, then nothing is imported and the message names it (exit 2)', async () => {
    const r = await kefu(['customers', 'import', fixture('crm/bad-header.csv')], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown column(s) "tiers"');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('kefu campaign', () => {
  let p: TestPlatform;
  const web = createRecordingSender('web');

  beforeAll(async () => {
    p = await startTestPlatform({ answerer: createIntentAnswerer(), senders: { web: web.sender } });
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('when listing, then every campaign file is checked and shown with its schedule and audience', async () => {
    const r = await kefu(['campaign', 'list'], {});
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      'device-trade-in\tenabled\tmarketing\t0 11 1 * * (Asia/Shanghai)\tflag:device_trade_in\t1 step(s)',
      'wealth-follow-up\tenabled\tmarketing\t0 10 * * 1 (Asia/Shanghai)\tflag:wealth_prospect\t2 step(s)',
    ]);
  });

  it('when a campaign is run with --dry-run, then the worker previews who would get what and nothing is sent', async () => {
    const c = await seedWebCustomer(p, { tag: 'cli-preview', name: '陈静' });
    const r = await kefu(['campaign', 'run', 'cli-preview', '--dry-run'], {
      TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_TASK_QUEUE: p.config.TEMPORAL_TASK_QUEUE, KEFU_CAMPAIGNS_DIR: fixture('campaigns'),
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`cli-preview (dry run, nothing sent): 1 customer(s) in the audience\n  ${c.id} (陈静): send on web [zh]: 陈静，新品到店。回复TD退订\n`);
    expect(web.outreach()).toEqual([]);
    expect(await p.store.listOutreachEvents({ campaign: 'cli-preview' })).toEqual([]);
  });
});
