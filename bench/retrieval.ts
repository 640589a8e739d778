/**
 * Retrieval benchmark for the knowledge base (local hashing embeddings, deterministic):
 *
 * 1. Quality on the demo knowledge base (embedded PGlite): recall@1, recall@5 and MRR of the expected article for
 *    bench/fixtures/retrieval-questions.jsonl, per language and overall, hybrid vs vector-only vs keyword-only.
 * 2. Hand-off calibration: the answer chain's confidence on those answerable questions and on the off-topic ones in
 *    bench/fixtures/retrieval-unanswerable.jsonl; the threshold is chosen on the even-numbered questions and checked
 *    on the odd-numbered ones.
 * 3. Query latency p50/p95 on PostgreSQL + pgvector (DATABASE_URL) at 10k and 100k chunks: the demo chunks plus
 *    synthetic chunks recombined from demo sentences; also recall@5 with those distractors present.
 *
 *   npm run bench:retrieval                              # all parts; part 3 needs DATABASE_URL
 *   npx tsx bench/retrieval.ts --sizes 10000             # smaller latency run
 *   npx tsx bench/retrieval.ts --no-latency              # parts 1 and 2 only
 *   npx tsx bench/retrieval.ts --keep-schema             # leave the PostgreSQL schema for EXPLAIN ANALYZE
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Document } from '@langchain/core/documents';
import { z } from 'zod';
import { loadConfig } from '../core/config.js';
import type { Db } from '../core/db/types.js';
import { migrate } from '../core/db/migrate.js';
import { openPglite } from '../core/db/pglite.js';
import { openPostgres } from '../core/db/postgres.js';
import type { Language } from '../core/domain.js';
import { createRagAnswerer, DEFAULT_MIN_CONFIDENCE } from '../knowledge/answer/chain.js';
import { createEmbeddingProvider } from '../knowledge/embeddings/index.js';
import { DEMO_KNOWLEDGE_DIR } from '../knowledge/index.js';
import { ingest } from '../knowledge/ingest/pipeline.js';
import { HybridRetriever } from '../knowledge/store/hybrid-retriever.js';
import type { RetrievalMode } from '../knowledge/store/fusion.js';
import { PgKnowledgeStore } from '../knowledge/store/pg-knowledge-store.js';
import type { ChunkMetadata } from '../knowledge/store/types.js';
import { splitSentences } from '../knowledge/text/sentences.js';

const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));
const QUESTIONS_PATH = fileURLToPath(new URL('./fixtures/retrieval-questions.jsonl', import.meta.url));
const UNANSWERABLE_PATH = fileURLToPath(new URL('./fixtures/retrieval-unanswerable.jsonl', import.meta.url));
const RESULTS_PATH = fileURLToPath(new URL('./results/retrieval.json', import.meta.url));
const MODES: RetrievalMode[] = ['hybrid', 'vector', 'keyword'];
const LATENCY_ROUNDS = 2;

const questionSchema = z.object({ question: z.string().min(1), lang: z.enum(['zh', 'en']), expected: z.string().min(1) });
const unanswerableSchema = z.object({ question: z.string().min(1), lang: z.enum(['zh', 'en']) });

function readJsonl<T>(path: string, schema: z.ZodType<T>): T[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l, i) => {
      const parsed = schema.safeParse(JSON.parse(l));
      if (!parsed.success) throw new Error(`${path}:${i + 1}: ${parsed.error.message}`);
      return parsed.data;
    });
}

const arg = (flag: string) => {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const f3 = (n: number) => n.toFixed(3);
const ms = (n: number) => `${n.toFixed(1)} ms`;

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

type Question = z.output<typeof questionSchema>;

interface QualityScore {
  questions: number;
  recallAt1: number;
  recallAt5: number;
  mrr: number;
}

/** Rank (1-based) of the expected article among the distinct articles of the results; FAQ chunks carry no article. */
async function articleRank(retriever: HybridRetriever, q: Question, mode: RetrievalMode): Promise<number | null> {
  const chunks = await retriever.search(q.question, { k: 30, mode, filter: { lang: q.lang } });
  const articles: string[] = [];
  for (const c of chunks) {
    const id = c.metadata.articleId;
    if (id && !articles.includes(id)) articles.push(id);
  }
  const i = articles.indexOf(q.expected);
  return i >= 0 ? i + 1 : null;
}

function score(ranks: (number | null)[]): QualityScore {
  const n = Math.max(ranks.length, 1);
  return {
    questions: ranks.length,
    recallAt1: ranks.filter((r) => r !== null && r <= 1).length / n,
    recallAt5: ranks.filter((r) => r !== null && r <= 5).length / n,
    mrr: ranks.reduce<number>((s, r) => s + (r ? 1 / r : 0), 0) / n,
  };
}

async function quality(retriever: HybridRetriever, questions: Question[]) {
  const result: Record<string, Record<string, QualityScore>> = {};
  for (const mode of MODES) {
    const ranks: { lang: Language; rank: number | null }[] = [];
    for (const q of questions) ranks.push({ lang: q.lang, rank: await articleRank(retriever, q, mode) });
    result[mode] = {
      zh: score(ranks.filter((r) => r.lang === 'zh').map((r) => r.rank)),
      en: score(ranks.filter((r) => r.lang === 'en').map((r) => r.rank)),
      all: score(ranks.map((r) => r.rank)),
    };
  }
  return result;
}

interface Judged {
  confidence: number;
  answerable: boolean;
  /** Answerable questions: a citation points at the expected article. */
  citedExpected: boolean;
  index: number;
}

function rates(items: Judged[], threshold: number) {
  const pos = items.filter((i) => i.answerable);
  const neg = items.filter((i) => !i.answerable);
  const answered = pos.filter((i) => i.confidence >= threshold);
  return {
    answeredAnswerable: answered.length / Math.max(pos.length, 1),
    answeredWithExpectedCitation: answered.filter((i) => i.citedExpected).length / Math.max(pos.length, 1),
    handedOffUnanswerable: neg.filter((i) => i.confidence < threshold).length / Math.max(neg.length, 1),
  };
}

async function calibration(store: PgKnowledgeStore, retriever: HybridRetriever, questions: Question[], unanswerable: { question: string; lang: Language }[]) {
  const sources = await store.db.query<{ source: string; article_id: string | null }>('SELECT source, article_id FROM knowledge_documents');
  const articleOf = new Map(sources.rows.map((r) => [r.source, r.article_id]));
  // Threshold 0 so every confidence is observed; the sweep below applies thresholds afterwards.
  const answerer = createRagAnswerer({ retriever, minConfidence: 0 });
  const judged: Judged[] = [];
  for (const [index, q] of questions.entries()) {
    const r = await answerer.answer({ text: q.question, language: q.lang });
    judged.push({ confidence: r.confidence, answerable: true, citedExpected: r.citations.some((c) => articleOf.get(c.source) === q.expected), index });
  }
  for (const [index, q] of unanswerable.entries()) {
    const r = await answerer.answer({ text: q.question, language: q.lang });
    judged.push({ confidence: r.confidence, answerable: false, citedExpected: false, index });
  }
  const tune = judged.filter((j) => j.index % 2 === 0);
  const check = judged.filter((j) => j.index % 2 === 1);
  let best = { threshold: 0, balanced: -1 };
  for (let t = 0.05; t <= 0.8001; t += 0.01) {
    const r = rates(tune, t);
    const balanced = (r.answeredAnswerable + r.handedOffUnanswerable) / 2;
    if (balanced > best.balanced + 1e-9) best = { threshold: Math.round(t * 100) / 100, balanced };
  }
  const sweep = [0.2, 0.25, 0.3, 0.35, 0.4].map((t) => ({ threshold: t, ...rates(judged, t) }));
  return {
    chosenOnTune: best.threshold,
    tuneAtChosen: rates(tune, best.threshold),
    checkAtChosen: rates(check, best.threshold),
    configuredDefault: DEFAULT_MIN_CONFIDENCE,
    allAtDefault: rates(judged, DEFAULT_MIN_CONFIDENCE),
    sweep,
    confidence: {
      answerable: { p10: percentile(judged.filter((j) => j.answerable).map((j) => j.confidence), 10), p50: percentile(judged.filter((j) => j.answerable).map((j) => j.confidence), 50) },
      unanswerable: { p50: percentile(judged.filter((j) => !j.answerable).map((j) => j.confidence), 50), p90: percentile(judged.filter((j) => !j.answerable).map((j) => j.confidence), 90) },
    },
  };
}

// ------------------------------------------------------------------------------------------- latency on pgvector

/** Deterministic PRNG (mulberry32) so every run builds the same synthetic corpus. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface BaseChunk {
  lang: Language;
  title: string;
  section?: string;
  sentences: string[];
}

async function demoChunks(store: PgKnowledgeStore): Promise<BaseChunk[]> {
  const r = await store.db.query<{ content: string; metadata: ChunkMetadata }>('SELECT content, metadata FROM knowledge_chunks ORDER BY id');
  return r.rows
    .map((row) => ({ lang: row.metadata.lang, title: row.metadata.title, section: row.metadata.section, sentences: splitSentences(row.content) }))
    .filter((c) => c.sentences.length > 0);
}

/** A distractor chunk: the heading of one demo chunk over 3–6 sentences drawn from demo chunks of the same language. */
function synthesise(base: BaseChunk[], n: number, random: () => number): Document<ChunkMetadata> {
  const head = base[Math.floor(random() * base.length)] as BaseChunk;
  const pool = base.filter((b) => b.lang === head.lang);
  const count = 3 + Math.floor(random() * 4);
  const sentences: string[] = [];
  for (let i = 0; i < count; i++) {
    const from = pool[Math.floor(random() * pool.length)] as BaseChunk;
    sentences.push(from.sentences[Math.floor(random() * from.sentences.length)] as string);
  }
  return new Document({
    pageContent: sentences.join(head.lang === 'zh' ? '' : ' '),
    metadata: {
      source: `synthetic/${head.lang}/${Math.floor(n / 500)}.md`,
      title: head.title,
      ...(head.section ? { section: head.section } : {}),
      lang: head.lang,
      tags: ['synthetic'],
      kind: 'markdown',
      articleId: `synthetic-${n}`,
      ord: n,
    },
  });
}

async function buildIndex(db: Db, dimensions: number): Promise<number> {
  const started = performance.now();
  await db.transaction(async (tx) => {
    await tx.query(`DROP INDEX IF EXISTS knowledge_chunks_embedding_hnsw_${dimensions}`);
    await tx.query(`SET LOCAL maintenance_work_mem = '1GB'`);
    await tx.query(`SET LOCAL max_parallel_maintenance_workers = 2`);
    await tx.query(`CREATE INDEX knowledge_chunks_embedding_hnsw_${dimensions} ON knowledge_chunks USING hnsw ((embedding::vector(${dimensions})) vector_cosine_ops) WHERE vector_dims(embedding) = ${dimensions}`);
  });
  await db.exec('ANALYZE knowledge_chunks; ANALYZE knowledge_terms;');
  return (performance.now() - started) / 1000;
}

async function latency(retriever: HybridRetriever, questions: Question[]) {
  const out: Record<string, { p50: number; p95: number; queries: number }> = {};
  for (const mode of MODES) {
    for (const q of questions.slice(0, 10)) await retriever.search(q.question, { mode, filter: { lang: q.lang } }); // warm-up
    const times: number[] = [];
    for (let round = 0; round < LATENCY_ROUNDS; round++) {
      for (const q of questions) {
        const t = performance.now();
        await retriever.search(q.question, { mode, filter: { lang: q.lang } });
        times.push(performance.now() - t);
      }
    }
    out[mode] = { p50: percentile(times, 50), p95: percentile(times, 95), queries: times.length };
  }
  return out;
}

async function latencyAtScale(databaseUrl: string, sizes: number[], questions: Question[]) {
  const schema = `bench_retrieval_${process.pid}`;
  const db = await openPostgres(databaseUrl, schema, 4);
  const tiers: Record<string, unknown>[] = [];
  try {
    await migrate(db);
    const provider = createEmbeddingProvider(loadConfig({ EMBEDDINGS_PROVIDER: 'local' }));
    let store = await PgKnowledgeStore.initialize(db, provider);
    await ingest(store, [DEMO_KNOWLEDGE_DIR], { cwd: PACKAGE_ROOT });
    const base = await demoChunks(store);
    const dimensions = provider.dimensions as number;
    const random = prng(20_250_415);
    let total = await store.countChunks();
    let synthetic = 0;
    for (const size of sizes.sort((a, b) => a - b)) {
      // Bulk load without the HNSW index (one build afterwards is far faster than 100k incremental inserts).
      await db.exec(`DROP INDEX IF EXISTS knowledge_chunks_embedding_hnsw_${dimensions}`);
      const loadStarted = performance.now();
      while (total < size) {
        const batch: Document<ChunkMetadata>[] = [];
        const docNo = Math.floor(synthetic / 500);
        while (batch.length < 500 && total + batch.length < size) batch.push(synthesise(base, synthetic + batch.length, random));
        synthetic += batch.length;
        await store.replaceDocument({ source: `synthetic/${docNo}`, hash: `synthetic-${docNo}`, kind: 'markdown', title: `synthetic ${docNo}`, lang: 'zh', tags: ['synthetic'] }, batch);
        total += batch.length;
        if (process.stderr.isTTY) process.stderr.write(`\r  loading ${total}/${size} chunks`);
      }
      if (process.stderr.isTTY) process.stderr.write('\n');
      const loadSeconds = (performance.now() - loadStarted) / 1000;
      const indexSeconds = await buildIndex(db, dimensions);
      store = await PgKnowledgeStore.initialize(db, provider);
      const retriever = new HybridRetriever({ store });
      const lat = await latency(retriever, questions);
      const recall = score(await Promise.all(questions.map((q) => articleRank(retriever, q, 'hybrid')))).recallAt5;
      tiers.push({ chunks: total, loadSeconds, indexBuildSeconds: indexSeconds, latency: lat, hybridRecallAt5WithDistractors: recall });
      console.log(`  ${total} chunks: load ${loadSeconds.toFixed(0)} s, HNSW build ${indexSeconds.toFixed(1)} s`);
    }
  } finally {
    if (process.argv.includes('--keep-schema')) console.log(`  kept schema ${schema} for inspection`);
    else await db.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await db.close();
  }
  return tiers;
}

// ------------------------------------------------------------------------------------------------------ main

async function main() {
  const started = performance.now();
  const questions = readJsonl(QUESTIONS_PATH, questionSchema);
  const unanswerable = readJsonl(UNANSWERABLE_PATH, unanswerableSchema);

  const db = await openPglite('memory://', 'bench');
  await migrate(db);
  const store = await PgKnowledgeStore.initialize(db, createEmbeddingProvider(loadConfig({ EMBEDDINGS_PROVIDER: 'local' })));
  const ingestStarted = performance.now();
  const summary = await ingest(store, [DEMO_KNOWLEDGE_DIR], { cwd: PACKAGE_ROOT });
  const ingestSeconds = (performance.now() - ingestStarted) / 1000;
  const chunks = await store.countChunks();
  const retriever = new HybridRetriever({ store });

  console.log(`demo knowledge base: ${summary.ingested.length} documents, ${chunks} chunks, ingested in ${ingestSeconds.toFixed(1)} s (PGlite, local embeddings)`);
  const q = await quality(retriever, questions);
  console.log(`\nretrieval quality, ${questions.length} questions (expected article among distinct articles retrieved)`);
  console.log(`${'mode'.padEnd(9)}${'lang'.padEnd(6)}${'n'.padStart(5)}${'R@1'.padStart(8)}${'R@5'.padStart(8)}${'MRR'.padStart(8)}`);
  for (const mode of MODES) {
    for (const lang of ['zh', 'en', 'all']) {
      const s = q[mode]?.[lang] as QualityScore;
      console.log(`${mode.padEnd(9)}${lang.padEnd(6)}${String(s.questions).padStart(5)}${f3(s.recallAt1).padStart(8)}${f3(s.recallAt5).padStart(8)}${f3(s.mrr).padStart(8)}`);
    }
  }

  const cal = await calibration(store, retriever, questions, unanswerable);
  console.log(`\nhand-off calibration: ${questions.length} answerable, ${unanswerable.length} off-topic questions`);
  console.log(`  threshold chosen on even-numbered questions: ${cal.chosenOnTune} (configured default ${cal.configuredDefault})`);
  const line = (name: string, r: ReturnType<typeof rates>) =>
    console.log(`  ${name.padEnd(30)} answered ${f3(r.answeredAnswerable)}  answered citing the expected article ${f3(r.answeredWithExpectedCitation)}  off-topic handed off ${f3(r.handedOffUnanswerable)}`);
  line('tune half at chosen', cal.tuneAtChosen);
  line('check half at chosen', cal.checkAtChosen);
  line('all at configured default', cal.allAtDefault);
  await db.close();

  let scale: Record<string, unknown>[] | string = 'skipped: DATABASE_URL not set';
  const databaseUrl = process.env.DATABASE_URL;
  if (process.argv.includes('--no-latency')) scale = 'skipped: --no-latency';
  else if (databaseUrl) {
    const sizes = (arg('--sizes') ?? '10000,100000').split(',').map(Number).filter((n) => n > 0);
    console.log(`\nquery latency on PostgreSQL + pgvector (HNSW m=16, ef_construction=64; ef_search=60), ${LATENCY_ROUNDS} rounds × ${questions.length} questions per mode`);
    scale = await latencyAtScale(databaseUrl, sizes, questions);
    console.log(`${'chunks'.padStart(8)}  ${'mode'.padEnd(8)}${'p50'.padStart(10)}${'p95'.padStart(10)}`);
    for (const tier of scale) {
      for (const mode of MODES) {
        const l = (tier.latency as Record<string, { p50: number; p95: number }>)[mode] as { p50: number; p95: number };
        console.log(`${String(tier.chunks).padStart(8)}  ${mode.padEnd(8)}${ms(l.p50).padStart(10)}${ms(l.p95).padStart(10)}`);
      }
      console.log(`${''.padStart(8)}  hybrid recall@5 with the synthetic distractors: ${f3(tier.hybridRecallAt5WithDistractors as number)}`);
    }
  } else console.log('\nlatency at 10k/100k chunks skipped: set DATABASE_URL to a PostgreSQL with pgvector');

  const results = {
    generatedAt: new Date().toISOString(),
    node: process.version,
    embeddings: 'local/hashing-v1-512',
    demo: { documents: summary.ingested.length, chunks, ingestSeconds },
    quality: q,
    calibration: cal,
    scale,
    runSeconds: (performance.now() - started) / 1000,
  };
  mkdirSync(dirname(RESULTS_PATH), { recursive: true });
  writeFileSync(RESULTS_PATH, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwrote ${RESULTS_PATH} in ${results.runSeconds.toFixed(0)} s`);
}

await main();
