import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../core/config.js';
import { HashingEmbeddings } from '../knowledge/embeddings/hashing.js';
import { createEmbeddingProvider } from '../knowledge/embeddings/index.js';
import { DEMO_KNOWLEDGE_DIR } from '../knowledge/index.js';
import { ingest } from '../knowledge/ingest/pipeline.js';
import type { HybridRetriever, RetrievedChunk } from '../knowledge/store/hybrid-retriever.js';
import { EmbeddingModelMismatchError, type PgKnowledgeStore } from '../knowledge/store/pg-knowledge-store.js';
import { startFakeOpenAI } from './fakes/openai-server.js';
import { DB_KINDS, openTestDb, openTestKnowledge, recordingLogger, type TestDb } from './helpers/knowledge.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const articles = (chunks: RetrievedChunk[]) => [...new Set(chunks.map((c) => c.metadata.articleId).filter(Boolean))];

describe.each(DB_KINDS)('hybrid retrieval on %s', (kind) => {
  let t: TestDb;
  let store: PgKnowledgeStore;
  let retriever: HybridRetriever;

  beforeAll(async () => {
    t = await openTestDb(kind);
    ({ store, retriever } = await openTestKnowledge(t.db));
    const summary = await ingest(store, [DEMO_KNOWLEDGE_DIR], { cwd: ROOT });
    expect(summary.failed).toEqual([]);
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it.each([
    ['zh', '物流显示签收了但我根本没收到啊', 'damaged-lost-parcels'],
    ['zh', '装宽带要交初装费吗', 'broadband-installation'],
    ['zh', '稳享90天能提前取出来吗', 'wealth-products'],
    ['en', 'can I change the delivery adress after ordering', 'delivery-tracking'],
    ['en', 'internet is down and theres a red light on the modem', 'broadband-fault-repair'],
    ['en', 'I think I was overcharged, how do I dispute it', 'billing-explained'],
  ] as const)('when asked in %s "%s", then the expected article is among the top results, in that language', async (lang, question, expected) => {
    const chunks = await retriever.search(question, { filter: { lang } });
    expect(articles(chunks).slice(0, 5)).toContain(expected);
    expect(chunks.every((c) => c.metadata.lang === lang)).toBe(true);
    // Order: documents by decreasing evidence, and within a document chunks by decreasing fused (RRF) score;
    // relevance and document evidence are bounded.
    const evidence = chunks.map((c) => c.scores.document);
    expect(evidence).toEqual([...evidence].sort((a, b) => b - a));
    for (const [i, c] of chunks.entries()) {
      const earlierSameDocument = chunks.slice(0, i).filter((p) => p.metadata.source === c.metadata.source && p.metadata.kind !== 'faq');
      for (const p of earlierSameDocument) expect(p.scores.fused).toBeGreaterThanOrEqual(c.scores.fused);
      expect(c.scores.relevance).toBeGreaterThanOrEqual(0), expect(c.scores.relevance).toBeLessThanOrEqual(1);
      expect(c.scores.document).toBeGreaterThanOrEqual(c.scores.relevance), expect(c.scores.document).toBeLessThanOrEqual(1);
    }
  });

  it('when both indexes find a chunk, then its fused score combines its vector and keyword ranks', async () => {
    const chunks = await retriever.search('what happens to data I dont use by end of month', { filter: { lang: 'en' } });
    const both = chunks.find((c) => c.scores.vectorRank !== null && c.scores.keywordRank !== null);
    expect(both).toBeDefined();
    const s = both?.scores;
    expect(s?.fused).toBeCloseTo(retriever.vectorWeight / (60 + (s?.vectorRank as number)) + 1 / (60 + (s?.keywordRank as number)), 10);
  });

  it('when a question is written in traditional Chinese, then it finds the same article as in simplified', async () => {
    const simplified = await retriever.search('手机丢了怎么先把号停了', { filter: { lang: 'zh' } });
    const traditional = await retriever.search('手機丟了怎麼先把號停了', { filter: { lang: 'zh' } });
    expect(articles(traditional)[0]).toBe(articles(simplified)[0]);
    expect(articles(traditional)[0]).toBe('sim-esim-porting');
  });

  it('when filtered by tag, then only chunks with that tag come back', async () => {
    const chunks = await retriever.search('退款多久到账', { filter: { lang: 'zh', tags: ['loyalty'] } });
    expect(chunks.length).toBeGreaterThan(0);
    for (const c of chunks) expect(c.metadata.tags).toContain('loyalty');
  });

  it('when only one index is used, then vector-only and keyword-only modes rank by their own score', async () => {
    const vector = await retriever.search('roaming day pass price in japan', { mode: 'vector', filter: { lang: 'en' } });
    expect(vector.every((c) => c.scores.keywordRank === null && c.scores.vectorRank !== null)).toBe(true);
    const keyword = await retriever.search('roaming day pass price in japan', { mode: 'keyword', filter: { lang: 'en' } });
    expect(keyword.every((c) => c.scores.vectorRank === null && c.scores.bm25 > 0)).toBe(true);
    expect(articles(keyword)).toContain('data-roaming');
  });

  it('when used through LangChain interfaces, then the store and the retriever return Documents', async () => {
    const docs = await store.similaritySearch('光猫亮红灯怎么办', 3, { lang: 'zh' });
    expect(docs).toHaveLength(3);
    expect(docs.every((d) => d.metadata.lang === 'zh' && typeof d.metadata.source === 'string')).toBe(true);
    const viaRunnable = await retriever.invoke('光猫亮红灯怎么办');
    expect(viaRunnable[0]?.metadata).toMatchObject({ chunkId: expect.any(String), scores: { fused: expect.any(Number) } });
  });

  it('when the query shares no word with the knowledge base, then nothing relevant comes back', async () => {
    const chunks = await retriever.search('tell me a joke', { filter: { lang: 'en' } });
    expect(Math.max(0, ...chunks.map((c) => c.scores.relevance))).toBeLessThan(0.2);
  });
});

describe.each(DB_KINDS)('embedding model changes on %s', (kind) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb(kind);
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it('when the configured model differs from the stored one, then it warns, searches by keyword only, refuses writes until reindex', async () => {
    const first = await openTestKnowledge(t.db);
    await ingest(first.store, [`${DEMO_KNOWLEDGE_DIR}/en/refund-policy.md`, `${DEMO_KNOWLEDGE_DIR}/en/data-roaming.md`], { cwd: ROOT });

    const logger = recordingLogger();
    const narrow = { embeddings: new HashingEmbeddings({ dimensions: 64 }), id: 'local/test-64', dimensions: 64 };
    const second = await openTestKnowledge(t.db, narrow, logger);
    expect(logger.warnings).toEqual([expect.stringMatching(/different model.*kefu reindex/)]);
    expect(second.store.vectorSearchReady).toBe(false);
    const keywordOnly = await second.retriever.search('refund after cancelling before dispatch', { filter: { lang: 'en' } });
    expect(keywordOnly.length).toBeGreaterThan(0);
    expect(keywordOnly.every((c) => c.scores.vectorRank === null && c.scores.similarity === null)).toBe(true);
    await expect(ingest(second.store, [`${DEMO_KNOWLEDGE_DIR}/en/trade-in.md`], { cwd: ROOT })).rejects.toBeInstanceOf(EmbeddingModelMismatchError);

    const result = await second.store.reindex();
    expect(result).toEqual({ chunks: await second.store.countChunks(), dimensions: 64 });
    expect(second.store.vectorSearchReady).toBe(true);
    const indexes = await t.db.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE tablename = 'knowledge_chunks' AND indexname LIKE 'knowledge_chunks_embedding_hnsw_%' AND schemaname = current_schema()`);
    expect(indexes.rows.map((r) => r.indexname)).toEqual(['knowledge_chunks_embedding_hnsw_64']);
    const hybrid = await second.retriever.search('refund after cancelling before dispatch', { filter: { lang: 'en' } });
    expect(hybrid.some((c) => c.scores.vectorRank !== null)).toBe(true);
    expect(hybrid[0]?.scores.similarity).toBeGreaterThan(0);

    // Opening with the reindexed model again is silent.
    const quiet = recordingLogger();
    await openTestKnowledge(t.db, narrow, quiet);
    expect(quiet.warnings).toEqual([]);
  });
});

describe('OpenAI-compatible embeddings', () => {
  it('when EMBEDDINGS_PROVIDER=openai, then chunks and queries are embedded through the API and the store learns the dimension', async () => {
    const fake = await startFakeOpenAI();
    const t = await openTestDb('pglite');
    try {
      const provider = createEmbeddingProvider(loadConfig({ EMBEDDINGS_PROVIDER: 'openai', EMBEDDINGS_MODEL: 'text-embedding-3-small', OPENAI_API_KEY: 'k', OPENAI_BASE_URL: fake.baseURL }));
      expect(provider.id).toBe('openai/text-embedding-3-small');
      expect(provider.dimensions).toBeUndefined();
      const { store, retriever } = await openTestKnowledge(t.db, provider);
      await ingest(store, [`${DEMO_KNOWLEDGE_DIR}/en/data-roaming.md`], { cwd: ROOT });
      const embedded = fake.embeddingRequests();
      expect(embedded.length).toBeGreaterThan(0);
      expect(embedded[0]?.body.model).toBe('text-embedding-3-small');
      const meta = await t.db.query<{ value: unknown }>(`SELECT value FROM knowledge_meta WHERE key = 'embeddings'`);
      expect(meta.rows[0]?.value).toEqual({ id: 'openai/text-embedding-3-small', dimensions: 16 });
      const hits = await retriever.search('roaming day pass japan', { filter: { lang: 'en' } });
      expect(hits.some((h) => h.scores.vectorRank !== null)).toBe(true);
      expect(fake.embeddingRequests().length).toBe(embedded.length + 1);
    } finally {
      await t.cleanup();
      await fake.close();
    }
  });
});
