import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, describeDatabase, loadConfig } from '../core/config.js';
import { parseDuration } from '../core/duration.js';

describe('configuration', () => {
  it('when nothing is set, then embedded defaults apply', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ PORT: 3978, KEFU_DATA_DIR: './.kefu-data', CONVERSATION_IDLE_TIMEOUT: 30 * 60_000, TEMPORAL_NAMESPACE: 'default' });
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.TEMPORAL_ADDRESS).toBeUndefined();
  });

  it('when several values are bad, then one error names every bad variable', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', CONVERSATION_IDLE_TIMEOUT: 'soon', DATABASE_URL: 'not a url', TEMPORAL_TLS_CERT_PATH: '/x.pem', MicrosoftAppId: 'abc' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const variables = (error as ConfigError).problems.map((p) => p.variable).sort();
    expect(variables).toEqual(['CONVERSATION_IDLE_TIMEOUT', 'DATABASE_URL', 'MicrosoftAppPassword', 'PORT', 'TEMPORAL_TLS_KEY_PATH']);
  });

  it('when a database URL has a password, then the printable description hides it', () => {
    expect(describeDatabase({ DATABASE_URL: 'postgres://kefu:s3cret@db:5432/kefu', KEFU_DATA_DIR: '.' })).toBe('PostgreSQL postgres://kefu:***@db:5432/kefu');
  });

  it.each([
    ['1500ms', 1500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['250', 250],
  ])('when the duration is %s, then it is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('when kefu start meets bad configuration, then it prints every problem and exits 2 without a stack trace', () => {
    const r = spawnSync(process.execPath, ['bin/kefu.js', 'start'], {
      env: { PATH: process.env.PATH, PORT: '-1', SLACK_BOT_TOKEN: 'xoxb-secret-token-value', LOG_LEVEL: 'loud' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('Invalid configuration');
    expect(r.stderr).toContain('PORT');
    expect(r.stderr).toContain('LOG_LEVEL');
    expect(r.stderr).toContain('SLACK_SIGNING_SECRET');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack frames
    expect(r.stderr).not.toContain('xoxb-secret-token-value');
  });

  it('when kefu start --only runs on embedded defaults, then it explains what is missing', () => {
    const r = spawnSync(process.execPath, ['bin/kefu.js', 'start', '--only', 'worker'], { env: { PATH: process.env.PATH }, encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--only worker needs DATABASE_URL');
    expect(r.stderr).toContain('--only worker needs TEMPORAL_ADDRESS');
  });

  it('when kefu --help is run, then it lists the start command', () => {
    const r = spawnSync(process.execPath, ['bin/kefu.js', '--help'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Commands:[\s\S]*start/);
  });
});

describe('configuration documentation', () => {
  it('when a variable exists in the schema, then .env.example and the README document it', async () => {
    const { readFileSync } = await import('node:fs');
    const { configSchema } = await import('../core/config.js');
    const example = readFileSync('.env.example', 'utf8');
    const readme = readFileSync('README.md', 'utf8');
    const keys = Object.keys(configSchema.shape);
    expect(keys.filter((k) => !new RegExp(`^# ${k}=`, 'm').test(example))).toEqual([]);
    expect(keys.filter((k) => !readme.includes(`\`${k}\``))).toEqual([]);
  });
});
