import { mkdtempSync, rmSync, writeFileSync, mkdirSync, unlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chunkDocument } from '../knowledge/ingest/split.js';
import { loadDocument } from '../knowledge/ingest/loaders/index.js';
import { ingest, type IngestEvent } from '../knowledge/ingest/pipeline.js';
import { createProgressReporter, formatSummary } from '../knowledge/ingest/progress.js';
import type { PgKnowledgeStore } from '../knowledge/store/pg-knowledge-store.js';
import { makePdf } from './helpers/pdf.js';
import { openTestDb, openTestKnowledge, type TestDb } from './helpers/knowledge.js';
import { runKnowledgeCli } from './helpers/knowledge-cli.js';

const raw = (name: string, text: string | Buffer, contentType?: string) => ({
  source: name,
  name,
  bytes: Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8'),
  contentType,
});

describe('loaders', () => {
  it('when a Markdown file has front matter, then title, language, tags, date, id and heading sections come from it', async () => {
    const doc = await loadDocument(raw('refunds.md', `---\ntitle: "退款说明"\nlang: zh\ntags: [退款, Refund]\nupdated: 2025-04-15\nid: refund-policy\n---\n\n# 退款\n\n开头一段。\n\n## 退款时效\n\n发货前取消，1个工作日内退款。\n\n### 特殊情况\n\n分期订单另行处理。\n\n\`\`\`\n# not a heading\n\`\`\`\n`));
    expect(doc).toMatchObject({ kind: 'markdown', title: '退款说明', lang: 'zh', tags: ['退款', 'refund'], articleId: 'refund-policy', updatedAt: '2025-04-15T00:00:00.000Z' });
    expect(doc.sections.map((s) => s.heading)).toEqual([undefined, '退款时效', '退款时效 › 特殊情况']);
    expect(doc.sections[2]?.text).toContain('# not a heading');
  });

  it('when an HTML page is loaded, then scripts and navigation are dropped and headings become sections', async () => {
    const html = `<html lang="en"><head><title>Delivery &amp; tracking</title><meta name="keywords" content="delivery, tracking"><style>p{}</style></head>
      <body><nav>Home | Shop</nav><h1>Delivery</h1><p>Orders ship within <b>24 hours</b>.</p><script>alert(1)</script>
      <h2>Tracking</h2><ul><li>Open the app</li><li>Tap Orders</li></ul><footer>© Lumen</footer></body></html>`;
    const doc = await loadDocument(raw('page', html, 'text/html; charset=utf-8'));
    expect(doc).toMatchObject({ kind: 'html', title: 'Delivery & tracking', lang: 'en', tags: ['delivery', 'tracking'] });
    expect(doc.sections).toEqual([
      { heading: undefined, text: 'Orders ship within 24 hours.' },
      { heading: 'Tracking', text: '- Open the app\n- Tap Orders' },
    ]);
  });

  it('when a PDF is loaded, then each page is a section and the document title comes from its metadata', async () => {
    const doc = await loadDocument(raw('warranty.pdf', makePdf([['Phones have a 12 month warranty.'], ['Batteries are covered for 6 months.']], 'Warranty guide')));
    expect(doc).toMatchObject({ kind: 'pdf', title: 'Warranty guide', lang: 'en' });
    expect(doc.sections).toEqual([
      { heading: 'p. 1', text: 'Phones have a 12 month warranty.' },
      { heading: 'p. 2', text: 'Batteries are covered for 6 months.' },
    ]);
  });

  it('when FAQ files are loaded, then each question/answer pair becomes one chunk with its own language', async () => {
    const csv = await loadDocument(raw('faq.csv', 'question,answer,tags\n"Can I pay by card?","Yes, Visa and Mastercard.","billing"\n话费能用积分抵扣吗？,可以，100积分抵1元。,\n'));
    const json = await loadDocument(raw('faq.json', JSON.stringify({ faq: [{ q: 'How do I reach Gold?', a: 'Spend ¥1,200 in 12 months.', tags: ['loyalty'] }] })));
    const chunks = [...(await chunkDocument(csv)), ...(await chunkDocument(json))];
    expect(chunks.map((c) => [c.metadata.lang, c.metadata.title, c.metadata.answer])).toEqual([
      ['en', 'Can I pay by card?', 'Yes, Visa and Mastercard.'],
      ['zh', '话费能用积分抵扣吗？', '可以，100积分抵1元。'],
      ['en', 'How do I reach Gold?', 'Spend ¥1,200 in 12 months.'],
    ]);
    expect(chunks[0]?.metadata.tags).toEqual(['billing']);
    expect(chunks[1]?.pageContent).toBe('问: 话费能用积分抵扣吗？\n答: 可以，100积分抵1元。');
  });

  it('when a long Chinese section is split, then chunks end at Chinese sentence punctuation, never start with it', async () => {
    const sentence = (i: number) => `第${i}条：退货商品需保持完好，配件齐全，并在签收后七天内通过App提交申请，我们会在两个工作日内完成审核${i % 3 === 0 ? '！' : '。'}`;
    const text = Array.from({ length: 30 }, (_, i) => sentence(i)).join('');
    const chunks = await chunkDocument({ source: 'zh.md', kind: 'markdown', title: '退货', lang: 'zh', tags: [], sections: [{ heading: '规则', text }], faq: [] });
    expect(chunks.length).toBeGreaterThan(3);
    for (const c of chunks) {
      expect(c.pageContent.length).toBeLessThanOrEqual(320);
      expect(c.pageContent).toMatch(/[。！]$/);
      expect(c.pageContent).not.toMatch(/^[。！？；]/);
      expect(c.metadata).toMatchObject({ source: 'zh.md', title: '退货', section: '规则', lang: 'zh' });
    }
  });

  it('when a file is not valid UTF-8 text or has an unknown type, then loading fails with a reason', async () => {
    await expect(loadDocument(raw('gbk.md', Buffer.from([0xc4, 0xe3, 0xba, 0xc3, 0xa3, 0xac, 0xc7, 0xeb, 0xce, 0xca, 0xb0, 0xef])))).rejects.toThrow(/UTF-8/);
    await expect(loadDocument(raw('data.xlsx', 'PK'))).rejects.toThrow(/unsupported file type/);
    await expect(loadDocument(raw('bad.json', '{"faq": '))).rejects.toThrow(/invalid JSON/);
  });
});

describe('ingestion into the store', () => {
  let t: TestDb;
  let store: PgKnowledgeStore;
  let dir: string;

  beforeEach(async () => {
    t = await openTestDb('pglite');
    ({ store } = await openTestKnowledge(t.db));
    dir = mkdtempSync(path.join(tmpdir(), 'kefu-ingest-'));
    mkdirSync(path.join(dir, 'en'));
    writeFileSync(path.join(dir, 'en', 'returns.md'), '---\ntitle: Returns\nlang: en\ntags: [returns]\n---\n\n## Window\n\nYou can return items within 7 days of delivery.\n');
    writeFileSync(path.join(dir, 'en', 'roaming.md'), '# Roaming\n\nRoaming day passes cost ¥25 per day in Zone 1.\n');
    writeFileSync(path.join(dir, 'faq.csv'), 'question,answer\nWhen is my bill issued?,Bills are issued on the 3rd of each month.\n');
    writeFileSync(path.join(dir, 'guide.pdf'), makePdf([['Warranty covers 12 months.']]));
    writeFileSync(path.join(dir, 'broken.json'), '{"faq": [');
    writeFileSync(path.join(dir, 'notes.xyz'), 'ignored: not a supported extension inside a folder');
  });
  afterEach(async () => {
    await t.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when a folder holds a broken file, then it is reported and skipped and every other file is ingested', async () => {
    const events: IngestEvent[] = [];
    const summary = await ingest(store, [dir], { cwd: dir, onEvent: (e) => events.push(e) });
    expect(summary.ingested.map((d) => d.source).sort()).toEqual(['en/returns.md', 'en/roaming.md', 'faq.csv', 'guide.pdf']);
    expect(summary.failed).toEqual([{ source: 'broken.json', reason: expect.stringMatching(/invalid JSON/) }]);
    expect(events[0]).toEqual({ type: 'start', total: 5 });
    expect(events.filter((e) => e.type === 'document')).toHaveLength(5);
    expect(await store.countDocuments()).toBe(4);
    const rows = await t.db.query<{ metadata: Record<string, unknown> }>(`SELECT metadata FROM knowledge_chunks c JOIN knowledge_documents d ON d.id = c.document_id WHERE d.source = 'en/returns.md'`);
    expect(rows.rows[0]?.metadata).toMatchObject({ source: 'en/returns.md', title: 'Returns', section: 'Window', lang: 'en', tags: ['returns'], kind: 'markdown' });
  });

  it('when ingesting again, then unchanged documents are skipped, a changed one replaced and --tags applied', async () => {
    await ingest(store, [dir], { cwd: dir });
    writeFileSync(path.join(dir, 'en', 'roaming.md'), '# Roaming\n\nRoaming day passes now cost ¥30 per day in Zone 1.\n');
    const again = await ingest(store, [dir], { cwd: dir });
    expect(again.ingested.map((d) => d.source)).toEqual(['en/roaming.md']);
    expect(again.skipped.sort()).toEqual(['en/returns.md', 'faq.csv', 'guide.pdf']);
    const content = await t.db.query<{ content: string }>(`SELECT content FROM knowledge_chunks WHERE metadata->>'source' = 'en/roaming.md'`);
    expect(content.rows.map((r) => r.content)).toEqual(['Roaming day passes now cost ¥30 per day in Zone 1.']);

    const tagged = await ingest(store, [path.join(dir, 'faq.csv')], { cwd: dir, tags: ['Billing'] });
    expect(tagged.ingested.map((d) => d.source)).toEqual(['faq.csv']);
    const tags = await t.db.query<{ tags: string[] }>(`SELECT tags FROM knowledge_chunks WHERE metadata->>'source' = 'faq.csv'`);
    expect(tags.rows[0]?.tags).toContain('billing');
  });

  it('when files disappear and --prune is given, then their documents, chunks and term counts are removed', async () => {
    await ingest(store, [dir], { cwd: dir });
    const dfBefore = await t.db.query<{ df: number }>(`SELECT df FROM knowledge_terms WHERE term = 'roam'`);
    expect(dfBefore.rows[0]?.df).toBeGreaterThan(0);
    unlinkSync(path.join(dir, 'en', 'roaming.md'));
    const withoutPrune = await ingest(store, [dir], { cwd: dir });
    expect(withoutPrune.pruned).toEqual([]);
    expect(await store.countDocuments()).toBe(4);

    const pruned = await ingest(store, [path.join(dir, 'en')], { cwd: dir, prune: true });
    expect(pruned.pruned).toEqual(['en/roaming.md']);
    expect((await store.documentHashes()).has('faq.csv')).toBe(true); // outside the pruned root
    expect(await store.countDocuments()).toBe(3);
    const orphans = await t.db.query(`SELECT 1 FROM knowledge_chunks WHERE metadata->>'source' = 'en/roaming.md'`);
    expect(orphans.rows).toHaveLength(0);
    const dfAfter = await t.db.query(`SELECT df FROM knowledge_terms WHERE term = 'roam'`);
    expect(dfAfter.rows).toHaveLength(0);
    const total = await t.db.query<{ df: number }>(`SELECT df FROM knowledge_terms WHERE term = ''`);
    expect(total.rows[0]?.df).toBe(await store.countChunks());
  });

  it('when URLs are ingested, then pages are fetched over HTTP and an error status is reported as a failure', async () => {
    const server: Server = createServer((req, res) => {
      if (req.url === '/help/shipping.html') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'last-modified': 'Tue, 15 Apr 2025 08:00:00 GMT' });
        res.end('<html lang="zh-CN"><title>配送说明</title><h2>时效</h2><p>下单后48小时内发货。</p></html>');
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const summary = await ingest(store, [`${base}/help/shipping.html`, `${base}/missing.md`]);
      expect(summary.ingested).toEqual([{ source: `${base}/help/shipping.html`, chunks: 1 }]);
      expect(summary.failed).toEqual([{ source: `${base}/missing.md`, reason: 'HTTP 404 Not Found' }]);
      const doc = await t.db.query<{ title: string; lang: string; updated_at: Date }>(`SELECT title, lang, updated_at FROM knowledge_documents`);
      expect(doc.rows[0]).toMatchObject({ title: '配送说明', lang: 'zh' });
      expect(new Date(doc.rows[0]?.updated_at as Date).toISOString()).toBe('2025-04-15T08:00:00.000Z');
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe('progress output', () => {
  const run = (isTTY: boolean) => {
    let out = '';
    let clock = 0;
    const report = createProgressReporter({ write: (s: string) => (out += s), isTTY, columns: 200 }, () => clock);
    report({ type: 'start', total: 4 });
    clock = 1000;
    report({ type: 'document', source: 'a.md', status: 'ingested', chunks: 3, done: 1, total: 4 });
    clock = 2000;
    report({ type: 'document', source: 'b.md', status: 'failed', reason: 'invalid YAML', done: 2, total: 4 });
    report({ type: 'document', source: 'c.md', status: 'skipped', done: 3, total: 4 });
    return out;
  };

  it('when stderr is a terminal, then a bar with counts and ETA is redrawn in place and failures get their own line', () => {
    const out = run(true);
    expect(out).toContain('\r\x1b[2K[######..................] 1/4 ingested 1 skipped 0 failed 0 ETA 00:03 a.md');
    expect(out).toContain('failed   b.md: invalid YAML\n');
    expect(out).toContain('3/4 ingested 1 skipped 1 failed 1 ETA 00:01');
  });

  it('when stderr is not a terminal, then each document is one plain line without control characters', () => {
    const out = run(false);
    expect(out).not.toContain('\x1b');
    expect(out.split('\n').filter(Boolean)).toEqual(['ingesting 4 source(s)', 'ingested a.md (3 chunks) [1/4]', 'failed   b.md: invalid YAML', 'skipped  c.md [3/4]']);
  });

  it('when a run ends, then the summary counts ingested, skipped and failed documents with reasons', () => {
    expect(formatSummary({ ingested: [{ source: 'a.md', chunks: 3 }], skipped: ['c.md'], failed: [{ source: 'b.md', reason: 'invalid YAML' }], pruned: [] }))
      .toBe('ingested 1 document(s) (3 chunks), skipped 1 unchanged, failed 1\n  failed: b.md: invalid YAML');
  });
});

// Each run is a real child process (tsx + an embedded database): slow on a busy machine, hence the long timeouts.
describe('kefu ingest, ask and reindex', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'kefu-ingest-cli-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('when run on files with one bad file, then it prints a summary, reports the file and exits non-zero', async () => {
    writeFileSync(path.join(dataDir, 'ok.md'), '# Opening hours\n\nWe answer chats from 8:00 to 22:00 every day.\n');
    writeFileSync(path.join(dataDir, 'bad.csv'), 'no,header\n1,2\n');
    const r = await runKnowledgeCli(['ingest', path.join(dataDir, 'ok.md'), path.join(dataDir, 'bad.csv')], { KEFU_DATA_DIR: path.join(dataDir, 'data'), KEFU_SEED_DEMO: 'false' });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^ingested 1 document\(s\) \(1 chunks\), skipped 0 unchanged, failed 1\n {2}failed: .*bad\.csv: CSV needs "question" and "answer" columns/);
    expect(r.stderr).toContain('bad.csv: CSV needs');
    const again = await runKnowledgeCli(['ingest', path.join(dataDir, 'ok.md')], { KEFU_DATA_DIR: path.join(dataDir, 'data'), KEFU_SEED_DEMO: 'false' });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('ingested 0 document(s) (0 chunks), skipped 1 unchanged, failed 0');

    const reindexed = await runKnowledgeCli(['reindex'], { KEFU_DATA_DIR: path.join(dataDir, 'data') });
    expect(reindexed).toMatchObject({ code: 0, stdout: 're-embedded 1 chunk(s) with local/hashing-v2-512 (512 dimensions)\n' });
  }, 240_000);

  it('when asked a question on a fresh install, then the demo knowledge base answers it with citations', async () => {
    const r = await runKnowledgeCli(['ask', '退货运费谁出？'], { KEFU_DATA_DIR: path.join(dataDir, 'fresh') });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^根据我们的帮助资料：\n.*运费.*\[1\]\n\n\[1\] .+ — knowledge\/demo\//s);
    expect(r.stderr).toMatch(/confidence \d\.\d\d\n$/);
    const json = await runKnowledgeCli(['ask', '--json', 'tell me a joke'], { KEFU_DATA_DIR: path.join(dataDir, 'fresh') });
    expect(JSON.parse(json.stdout)).toMatchObject({ handoffSuggested: true, language: 'en', citations: [] });
  }, 240_000);
});
