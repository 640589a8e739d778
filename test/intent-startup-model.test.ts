import { appendFile, copyFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStartupIntentModel } from '../knowledge/intent/startup-model.js';
import { loadIntentRouting } from '../knowledge/routing/setup.js';

const FIXTURE = path.join(import.meta.dirname, 'fixtures/intents-small.csv');

describe('the intent model the platform starts with', () => {
  let dir: string;
  let csv: string;
  const warnings: string[] = [];
  const logger = { warn: (_o: object, msg: string) => void warnings.push(msg), info: () => undefined };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'kefu-intent-start-'));
    csv = path.join(dir, 'intents.csv');
    await copyFile(FIXTURE, csv);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('when the examples are unchanged, then the second start loads the cached model instead of training', async () => {
    const cacheDir = path.join(dir, 'cache');
    const first = await loadStartupIntentModel({ dataFile: csv, cacheDir, logger });
    const second = await loadStartupIntentModel({ dataFile: csv, cacheDir, logger });
    expect([first.from, second.from]).toEqual(['trained', 'cache']);
    expect(second.file).toBe(first.file);
    expect(second.model.classes).toEqual(first.model.classes);
    expect(second.model.classify('我的账单为什么这么贵').intent).toBe(first.model.classify('我的账单为什么这么贵').intent);
  });

  it('when the examples change, then the next start trains again under a new key', async () => {
    const cacheDir = path.join(dir, 'cache-edit');
    const before = await loadStartupIntentModel({ dataFile: csv, cacheDir });
    await appendFile(csv, 'where is my parcel right now,delivery\n');
    const after = await loadStartupIntentModel({ dataFile: csv, cacheDir });
    expect(after.from).toBe('trained');
    expect(after.file).not.toBe(before.file);
    expect((await readdir(cacheDir)).length).toBe(2);
  });

  it('when the cached file is damaged, then it is retrained with a warning rather than failing the start', async () => {
    const cacheDir = path.join(dir, 'cache-damaged');
    const { file } = await loadStartupIntentModel({ dataFile: csv, cacheDir });
    await writeFile(file as string, '{"format":"kefu-intent-model"');
    warnings.length = 0;
    const again = await loadStartupIntentModel({ dataFile: csv, cacheDir, logger });
    expect(again.from).toBe('trained');
    expect(warnings).toEqual(['ignoring the cached intent model']);
  });

  it('when the examples file is missing, then the error names it', async () => {
    await expect(loadStartupIntentModel({ dataFile: path.join(dir, 'nope.csv') })).rejects.toThrow(/cannot read intent examples .*nope\.csv: ENOENT/);
  });

  it('when routing is off, then no model is loaded and no router exists', async () => {
    const router = await loadIntentRouting(
      { ROUTING_FILE: 'off', INTENT_DATA_FILE: path.join(dir, 'nope.csv'), INTENT_MODEL_FILE: undefined, INTENT_THRESHOLD: undefined, KEFU_DATA_DIR: dir },
      { queues: ['general'], workflows: [] },
    );
    expect(router).toBeUndefined();
  });

  it('when the routing table names an intent the examples do not have, then routing refuses to start', async () => {
    // The shipped table routes billing, complaint, trade_in…; the small fixture has only a few of those intents.
    await expect(
      loadIntentRouting(
        { ROUTING_FILE: undefined, INTENT_DATA_FILE: csv, INTENT_MODEL_FILE: undefined, INTENT_THRESHOLD: undefined, KEFU_DATA_DIR: 'memory://' },
        { queues: ['general', 'senior'], workflows: ['tradeInLead'] },
      ),
    ).rejects.toThrow(/the intent model has no intent "/);
  });
});
