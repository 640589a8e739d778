import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoKnowledge } from '../knowledge/index.js';
import { postMessage, startTestPlatform, waitForReplies, type TestPlatform } from './helpers/platform.js';

describe('platform with the default answer chain', () => {
  let p: TestPlatform;

  beforeAll(async () => {
    p = await startTestPlatform();
  });
  afterAll(async () => {
    await p?.stop();
  });

  it('when the platform starts with an empty knowledge base, then the demo articles are ingested', async () => {
    const docs = await p.store.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM knowledge_documents WHERE source LIKE 'knowledge/demo/%'`);
    expect(docs.rows[0]?.n).toBeGreaterThanOrEqual(40);
  });

  it('when it starts again, then the demo ingestion only compares hashes', async () => {
    const summary = await seedDemoKnowledge(p.config, { db: p.store.db });
    expect(summary?.ingested).toEqual([]);
    expect(summary?.skipped.length).toBeGreaterThanOrEqual(40);
  });

  it('when a customer asks a question the demo knowledge base covers, then the reply cites it', async () => {
    const conv = `kb-${randomUUID()}`;
    await postMessage(p.url, conv, { customerId: 'kb-user', text: '退货运费谁出？' });
    const messages = await waitForReplies(p.url, conv, 1, 30_000);
    const reply = messages.find((m) => m.role === 'bot');
    expect(reply?.text).toMatch(/运费/);
    expect(reply?.citations).toEqual([expect.objectContaining({ index: 1, source: expect.stringMatching(/^knowledge\/demo\//) })]);
  });
});
