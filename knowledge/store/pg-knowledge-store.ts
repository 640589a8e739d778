import { Document, type DocumentInterface } from '@langchain/core/documents';
import { VectorStore } from '@langchain/core/vectorstores';
import type { Db, Queryable } from '../../core/db/types.js';
import type { Language } from '../../core/domain.js';
import type { KnowledgeLogger } from '../log.js';
import type { EmbeddingProvider } from '../embeddings/index.js';
import { orQuery } from '../text/keywords.js';
import { chunkIndexTokens } from './index-tokens.js';
import { chunkIndexText, type ChunkFilter, type ChunkHit, type ChunkMetadata, type DocumentRecord } from './types.js';

const EMBEDDINGS_META_KEY = 'embeddings';
// pgvector's HNSW indexes `vector` columns of at most 2,000 dimensions; larger ones are searched exactly.
const HNSW_MAX_DIMENSIONS = 2000;
const INSERT_BATCH = 200;
// Serialises index creation and reindexing between processes sharing one PostgreSQL.
const INDEX_LOCK = 724_312;

interface EmbeddingsMeta {
  id: string;
  dimensions: number;
}

/** The stored vectors come from another embedding model than the configured one. */
export class EmbeddingModelMismatchError extends Error {
  override readonly name = 'EmbeddingModelMismatchError';
  constructor(readonly stored: EmbeddingsMeta, readonly configured: string) {
    super(
      `the knowledge base was embedded with ${stored.id} (${stored.dimensions} dimensions) but the configured embedding ` +
        `model is ${configured}; run \`kefu reindex\` to re-embed all chunks`,
    );
  }
}

export interface StoreOptions {
  logger?: KnowledgeLogger;
}

interface ChunkRow {
  id: string;
  content: string;
  metadata: ChunkMetadata;
  tokens: string;
  similarity: number | null;
}

export interface AddVectorsOptions {
  /** The knowledge_documents row the chunks belong to; without it, one document row per metadata.source is used. */
  documentId?: string;
  /** Runs inside this transaction instead of the store's own. */
  tx?: Queryable;
}

const dimensionOf = (n: number): number => {
  if (!Number.isInteger(n) || n <= 0 || n > 16_000) throw new Error(`invalid embedding dimension ${n}`);
  return n;
};
const vectorLiteral = (v: number[]) => `[${v.join(',')}]`;
const splitTokens = (tokens: string) => (tokens ? tokens.split(' ') : []);

/**
 * Chunks and their embeddings in PostgreSQL + pgvector, or PGlite with the same extension (both behind `Db`).
 * A LangChain `VectorStore` for vector search, plus the keyword half of hybrid retrieval (tsvector over
 * pre-segmented tokens), document bookkeeping for incremental ingestion, and re-embedding.
 */
export class PgKnowledgeStore extends VectorStore {
  declare FilterType: ChunkFilter;

  private meta: EmbeddingsMeta | undefined;
  private mismatch: EmbeddingsMeta | undefined;

  private constructor(
    readonly db: Db,
    readonly provider: EmbeddingProvider,
    private readonly logger: StoreOptions['logger'],
  ) {
    super(provider.embeddings, {});
  }

  _vectorstoreType(): string {
    return 'kefu-pgvector';
  }

  /**
   * Opens the store over a migrated database: reads which embedding model the stored vectors come from, warns when
   * it is not the configured one (vector search then stays off until `kefu reindex`), and makes sure the HNSW index
   * for the stored dimension exists.
   */
  static async initialize(db: Db, provider: EmbeddingProvider, options: StoreOptions = {}): Promise<PgKnowledgeStore> {
    const store = new PgKnowledgeStore(db, provider, options.logger);
    await store.loadMeta();
    return store;
  }

  private async loadMeta(): Promise<void> {
    const stored = await this.readMeta(this.db);
    this.meta = undefined;
    this.mismatch = undefined;
    if (!stored) return;
    if (stored.id === this.provider.id) {
      this.meta = stored;
      await this.ensureVectorIndex(this.db, stored.dimensions);
      return;
    }
    if ((await this.countChunks()) === 0) {
      // Nothing embedded yet: the configured model simply takes over.
      await this.db.query('DELETE FROM knowledge_meta WHERE key = $1', [EMBEDDINGS_META_KEY]);
      return;
    }
    this.mismatch = stored;
    this.logger?.warn(
      { stored: stored.id, storedDimensions: stored.dimensions, configured: this.provider.id },
      'knowledge base embedded with a different model: vector search is off (keyword search only) until you run `kefu reindex`',
    );
  }

  /** False when the stored vectors belong to another model (see `kefu reindex`) or nothing is embedded yet. */
  get vectorSearchReady(): boolean {
    return this.meta !== undefined && this.mismatch === undefined;
  }

  get storedModelMismatch(): EmbeddingsMeta | undefined {
    return this.mismatch;
  }

  private async readMeta(q: Queryable): Promise<EmbeddingsMeta | undefined> {
    const r = await q.query<{ value: EmbeddingsMeta }>('SELECT value FROM knowledge_meta WHERE key = $1', [EMBEDDINGS_META_KEY]);
    return r.rows[0]?.value;
  }

  private async writeMeta(q: Queryable, meta: EmbeddingsMeta): Promise<void> {
    await q.query(
      `INSERT INTO knowledge_meta (key, value) VALUES ($1, $2::jsonb)
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
      [EMBEDDINGS_META_KEY, JSON.stringify(meta)],
    );
  }

  private indexName(dimensions: number): string {
    return `knowledge_chunks_embedding_hnsw_${dimensionOf(dimensions)}`;
  }

  private async ensureVectorIndex(q: Queryable, dimensions: number): Promise<void> {
    if (dimensions > HNSW_MAX_DIMENSIONS) {
      this.logger?.info({ dimensions }, 'embeddings wider than 2000 dimensions: no HNSW index, vector search is exact');
      return;
    }
    const create = async (tx: Queryable) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [INDEX_LOCK]);
      // Partial on the dimension: building it never casts a vector of another width — such as the old row versions
      // a reindex leaves behind in its own transaction — and a query states the same condition to use it.
      await tx.query(
        `CREATE INDEX IF NOT EXISTS ${this.indexName(dimensions)} ON knowledge_chunks
         USING hnsw ((embedding::vector(${dimensionOf(dimensions)})) vector_cosine_ops) WHERE vector_dims(embedding) = ${dimensionOf(dimensions)}`,
      );
    };
    if (q === this.db) await this.db.transaction(create);
    else await create(q);
  }

  private async dropVectorIndexes(q: Queryable): Promise<void> {
    const r = await q.query<{ indexname: string }>(
      `SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'knowledge_chunks'
       AND indexname LIKE 'knowledge\\_chunks\\_embedding\\_hnsw\\_%'`,
    );
    for (const { indexname } of r.rows) {
      if (!/^knowledge_chunks_embedding_hnsw_\d+$/.test(indexname)) continue;
      await q.query(`DROP INDEX IF EXISTS ${indexname}`);
    }
  }

  /** Records the vector space of the first vectors written, and indexes it. */
  private async claimVectorSpace(q: Queryable, dimensions: number): Promise<EmbeddingsMeta> {
    if (this.mismatch) throw new EmbeddingModelMismatchError(this.mismatch, this.provider.id);
    if (this.meta) {
      if (this.meta.dimensions !== dimensions) {
        throw new Error(`embedding model ${this.provider.id} returned ${dimensions} dimensions, the store holds ${this.meta.dimensions}`);
      }
      return this.meta;
    }
    const meta = { id: this.provider.id, dimensions: dimensionOf(dimensions) };
    await this.writeMeta(q, meta);
    await this.ensureVectorIndex(q, dimensions);
    this.meta = meta;
    return meta;
  }

  // ---------------------------------------------------------------- writing

  override async addDocuments(documents: DocumentInterface[], options: AddVectorsOptions = {}): Promise<string[]> {
    if (this.mismatch) throw new EmbeddingModelMismatchError(this.mismatch, this.provider.id);
    const texts = documents.map((d) => chunkIndexText(d.pageContent, d.metadata as ChunkMetadata));
    const vectors = texts.length > 0 ? await this.embeddings.embedDocuments(texts) : [];
    return this.addVectors(vectors, documents, options);
  }

  override async addVectors(vectors: number[][], documents: DocumentInterface[], options: AddVectorsOptions = {}): Promise<string[]> {
    if (vectors.length !== documents.length) throw new Error(`addVectors: ${vectors.length} vectors for ${documents.length} documents`);
    if (documents.length === 0) return [];
    const run = async (tx: Queryable) => {
      await this.claimVectorSpace(tx, vectors[0]?.length ?? 0);
      if (options.documentId) return this.insertChunks(tx, options.documentId, vectors, documents);
      // Plain LangChain use: group by source, one document row each.
      const ids: string[] = [];
      const bySource = new Map<string, number[]>();
      documents.forEach((d, i) => {
        const source = String((d.metadata as Partial<ChunkMetadata>).source ?? 'unknown');
        bySource.set(source, [...(bySource.get(source) ?? []), i]);
      });
      for (const [source, indexes] of bySource) {
        const first = documents[indexes[0] as number]?.metadata as Partial<ChunkMetadata>;
        const documentId = await this.upsertDocumentRow(tx, {
          source,
          hash: '',
          kind: first.kind ?? 'text',
          title: first.title ?? source,
          lang: first.lang ?? 'en',
          tags: first.tags ?? [],
        });
        ids.push(...(await this.insertChunks(tx, documentId, indexes.map((i) => vectors[i] as number[]), indexes.map((i) => documents[i] as DocumentInterface))));
      }
      return ids;
    };
    return options.tx ? run(options.tx) : this.db.transaction(run);
  }

  private async insertChunks(tx: Queryable, documentId: string, vectors: number[][], documents: DocumentInterface[]): Promise<string[]> {
    const { rows: [next] } = await tx.query<{ n: number }>('SELECT coalesce(max(ord) + 1, 0)::int AS n FROM knowledge_chunks WHERE document_id = $1', [documentId]);
    let ord = next?.n ?? 0;
    const ids: string[] = [];
    for (let start = 0; start < documents.length; start += INSERT_BATCH) {
      const params: unknown[] = [];
      const values: string[] = [];
      documents.slice(start, start + INSERT_BATCH).forEach((doc, i) => {
        const metadata = { ...(doc.metadata as ChunkMetadata), ord };
        const tokens = chunkIndexTokens(doc.pageContent, metadata).join(' ');
        const vector = vectors[start + i] as number[];
        const p = params.length;
        values.push(`($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}::jsonb, $${p + 5}, $${p + 6}::text[], $${p + 7}, $${p + 8}::vector)`);
        params.push(documentId, ord, doc.pageContent, JSON.stringify(metadata), metadata.lang, metadata.tags ?? [], tokens, vectorLiteral(vector));
        ord += 1;
      });
      const r = await tx.query<{ id: string }>(
        `INSERT INTO knowledge_chunks (document_id, ord, content, metadata, lang, tags, tokens, embedding)
         VALUES ${values.join(', ')} RETURNING id::text AS id`,
        params,
      );
      ids.push(...r.rows.map((row) => row.id));
    }
    await this.adjustTermStats(tx, 'c.id = ANY($1::bigint[])', [ids], +1);
    await tx.query('UPDATE knowledge_documents SET chunk_count = (SELECT count(*) FROM knowledge_chunks WHERE document_id = $1) WHERE id = $1', [documentId]);
    return ids;
  }

  /** Adds (+1) or removes (-1) the chunks selected by `where` (alias c) from the document-frequency table. */
  private async adjustTermStats(tx: Queryable, where: string, params: unknown[], sign: 1 | -1): Promise<void> {
    const n = params.length + 1;
    await tx.query(
      `INSERT INTO knowledge_terms (term, df)
       SELECT term, $${n}::int * count(*)::int FROM (
         SELECT DISTINCT c.id, t.term FROM knowledge_chunks c, unnest(tsvector_to_array(c.tsv)) AS t(term) WHERE ${where}
       ) s GROUP BY term ORDER BY term
       ON CONFLICT (term) DO UPDATE SET df = knowledge_terms.df + EXCLUDED.df`,
      [...params, sign],
    );
    await tx.query(`UPDATE knowledge_terms SET df = df + $${n}::int * (SELECT count(*)::int FROM knowledge_chunks c WHERE ${where}) WHERE term = ''`, [...params, sign]);
    if (sign < 0) await tx.query(`DELETE FROM knowledge_terms WHERE df <= 0 AND term <> ''`);
  }

  private async upsertDocumentRow(tx: Queryable, doc: DocumentRecord): Promise<string> {
    const r = await tx.query<{ id: string }>(
      `INSERT INTO knowledge_documents (source, hash, kind, title, lang, tags, article_id, updated_at, ingested_at)
       VALUES ($1, $2, $3, $4, $5, $6::text[], $7, $8::timestamptz, now())
       ON CONFLICT (source) DO UPDATE SET hash = EXCLUDED.hash, kind = EXCLUDED.kind, title = EXCLUDED.title, lang = EXCLUDED.lang,
         tags = EXCLUDED.tags, article_id = EXCLUDED.article_id, updated_at = EXCLUDED.updated_at, ingested_at = now()
       RETURNING id::text AS id`,
      [doc.source, doc.hash, doc.kind, doc.title, doc.lang, doc.tags, doc.articleId ?? null, doc.updatedAt ?? null],
    );
    return (r.rows[0] as { id: string }).id;
  }

  /**
   * Replaces a document and all its chunks atomically: readers see either the old or the new version. Embedding
   * happens before the transaction, so a slow embedding API holds no locks.
   */
  async replaceDocument(doc: DocumentRecord, chunks: DocumentInterface[]): Promise<{ chunks: number }> {
    if (this.mismatch) throw new EmbeddingModelMismatchError(this.mismatch, this.provider.id);
    const texts = chunks.map((d) => chunkIndexText(d.pageContent, d.metadata as ChunkMetadata));
    const vectors = texts.length > 0 ? await this.embeddings.embedDocuments(texts) : [];
    await this.db.transaction(async (tx) => {
      const documentId = await this.upsertDocumentRow(tx, doc);
      await this.deleteChunks(tx, 'c.document_id = $1', [documentId]);
      if (chunks.length > 0) await this.addVectors(vectors, chunks, { documentId, tx });
      else await tx.query('UPDATE knowledge_documents SET chunk_count = 0 WHERE id = $1', [documentId]);
    });
    return { chunks: chunks.length };
  }

  private async deleteChunks(tx: Queryable, where: string, params: unknown[]): Promise<void> {
    await this.adjustTermStats(tx, where, params, -1);
    await tx.query(`DELETE FROM knowledge_chunks c WHERE ${where}`, params);
  }

  /** LangChain's delete: by chunk ids, or whole documents by source. */
  override async delete(params: { ids?: string[]; sources?: string[] } = {}): Promise<void> {
    await this.db.transaction(async (tx) => {
      if (params.ids?.length) await this.deleteChunks(tx, 'c.id = ANY($1::bigint[])', [params.ids]);
      if (params.sources?.length) {
        await this.deleteChunks(tx, 'c.document_id IN (SELECT id FROM knowledge_documents WHERE source = ANY($1::text[]))', [params.sources]);
        await tx.query('DELETE FROM knowledge_documents WHERE source = ANY($1::text[])', [params.sources]);
      }
    });
  }

  /** source → content hash of every stored document. */
  async documentHashes(): Promise<Map<string, string>> {
    const r = await this.db.query<{ source: string; hash: string }>('SELECT source, hash FROM knowledge_documents');
    return new Map(r.rows.map((row) => [row.source, row.hash]));
  }

  async countChunks(): Promise<number> {
    const r = await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM knowledge_chunks');
    return r.rows[0]?.n ?? 0;
  }

  async countDocuments(): Promise<number> {
    const r = await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM knowledge_documents');
    return r.rows[0]?.n ?? 0;
  }

  // ---------------------------------------------------------------- reading

  private filterSql(filter: ChunkFilter | undefined, params: unknown[]): string {
    const clauses: string[] = [];
    if (filter?.lang) {
      params.push(filter.lang);
      clauses.push(`c.lang = $${params.length}`);
    }
    if (filter?.tags?.length) {
      params.push(filter.tags);
      clauses.push(`c.tags && $${params.length}::text[]`);
    }
    return clauses.length > 0 ? ` AND ${clauses.join(' AND ')}` : '';
  }

  private toHit(row: ChunkRow): ChunkHit {
    return { id: row.id, content: row.content, metadata: row.metadata, tokens: splitTokens(row.tokens), similarity: row.similarity === null ? null : Number(row.similarity) };
  }

  /** Nearest chunks by cosine similarity (HNSW). Empty when the stored vectors belong to another model. */
  async vectorSearch(query: number[], k: number, filter?: ChunkFilter): Promise<ChunkHit[]> {
    if (!this.meta || this.mismatch) return [];
    const d = dimensionOf(this.meta.dimensions);
    if (query.length !== d) throw new Error(`query vector has ${query.length} dimensions, the store holds ${d}`);
    const params: unknown[] = [vectorLiteral(query), k];
    const where = this.filterSql(filter, params);
    const sql = `SELECT c.id::text AS id, c.content, c.metadata, c.tokens, 1 - (c.embedding::vector(${d}) <=> $1::vector(${d})) AS similarity
       FROM knowledge_chunks c WHERE vector_dims(c.embedding) = ${d}${where}
       ORDER BY c.embedding::vector(${d}) <=> $1::vector(${d}) LIMIT $2`;
    const rows = await this.db.transaction(async (tx) => {
      // A filter discards part of what HNSW visits; a wider, iterative scan still returns k rows.
      await tx.query(`SET LOCAL hnsw.ef_search = ${Math.max(40, Math.min(1000, k * 2))}`);
      if (filter?.lang || filter?.tags?.length) await tx.query(`SET LOCAL hnsw.iterative_scan = relaxed_order`);
      return (await tx.query<ChunkRow>(sql, params)).rows;
    });
    return rows.map((r) => this.toHit(r)).sort((a, b) => (b.similarity ?? 0) - (a.similarity ?? 0));
  }

  /**
   * Chunks containing any of the query tokens, best `ts_rank` first (GIN index on the tsvector). The caller re-scores
   * them with BM25; `queryVector` adds each hit's cosine similarity so both halves of fusion see the same numbers.
   */
  async keywordSearch(tokens: string[], k: number, filter?: ChunkFilter, queryVector?: number[]): Promise<ChunkHit[]> {
    const tsquery = orQuery(tokens);
    if (!tsquery) return [];
    const params: unknown[] = [tsquery, k];
    const d = this.meta && !this.mismatch && queryVector?.length === this.meta.dimensions ? dimensionOf(this.meta.dimensions) : undefined;
    if (d) params.push(vectorLiteral(queryVector as number[]));
    const similarity = d ? `CASE WHEN vector_dims(c.embedding) = ${d} THEN 1 - (c.embedding::vector(${d}) <=> $3::vector(${d})) END` : 'NULL::float8';
    const where = this.filterSql(filter, params);
    // Rank in an inner query that touches only the tsvector; the row's text and its cosine similarity are computed
    // for the k survivors only (not for every chunk that matches a common term).
    const sql =
      `SELECT c.id::text AS id, c.content, c.metadata, c.tokens, ${similarity} AS similarity
       FROM (SELECT c.id, ts_rank(c.tsv, q) AS rank FROM knowledge_chunks c, to_tsquery('simple', $1) q
             WHERE c.tsv @@ q${where} ORDER BY rank DESC, c.id LIMIT $2) top
       JOIN knowledge_chunks c ON c.id = top.id
       ORDER BY top.rank DESC, c.id`;
    const rows = await this.db.transaction(async (tx) => {
      // Chunk rows are wide (a 512-d embedding is 2 KB), so their tsvectors end up in TOAST storage; the planner does
      // not count the detoasting a sequential scan does for every row and picks it over the GIN index, which is
      // about 5× slower at 10k chunks. The caller bounds the terms to a few hundred matching rows: use the index.
      await tx.query('SET LOCAL enable_seqscan = off');
      return (await tx.query<ChunkRow>(sql, params)).rows;
    });
    return rows.map((row) => this.toHit(row));
  }

  /** Document frequency of each token and the number of chunks, for IDF. */
  async termStats(tokens: string[]): Promise<{ total: number; df: Map<string, number> }> {
    const unique = [...new Set(tokens)];
    const r = await this.db.query<{ term: string; df: number }>('SELECT term, df FROM knowledge_terms WHERE term = ANY($1::text[]) OR term = $2', [unique, '']);
    const df = new Map<string, number>();
    let total = 0;
    for (const row of r.rows) {
      if (row.term === '') total = row.df;
      else df.set(row.term, row.df);
    }
    return { total, df };
  }

  override async similaritySearchVectorWithScore(query: number[], k: number, filter?: ChunkFilter): Promise<[DocumentInterface, number][]> {
    const hits = await this.vectorSearch(query, k, filter);
    // Score is cosine similarity: higher is closer.
    return hits.map((h) => [new Document({ pageContent: h.content, metadata: h.metadata, id: h.id }), h.similarity ?? 0]);
  }

  // ---------------------------------------------------------------- re-embedding

  /**
   * Re-embeds every chunk with the configured model (after changing EMBEDDINGS_PROVIDER or EMBEDDINGS_MODEL) and
   * re-tokenises it, in one transaction: searches keep using the old vectors until it commits.
   */
  async reindex(onProgress?: (done: number, total: number) => void, batchSize = 128): Promise<{ chunks: number; dimensions: number }> {
    const result = await this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [INDEX_LOCK]);
      const { rows } = await tx.query<{ id: string; content: string; metadata: ChunkMetadata }>(
        'SELECT id::text AS id, content, metadata FROM knowledge_chunks ORDER BY id',
      );
      await this.dropVectorIndexes(tx);
      let dimensions = this.meta?.dimensions ?? this.provider.dimensions ?? 0;
      for (let start = 0; start < rows.length; start += batchSize) {
        const batch = rows.slice(start, start + batchSize);
        const texts = batch.map((row) => chunkIndexText(row.content, row.metadata));
        const vectors = await this.embeddings.embedDocuments(texts);
        dimensions = vectors[0]?.length ?? dimensions;
        const params: unknown[] = [];
        const values = batch.map((row, i) => {
          params.push(row.id, chunkIndexTokens(row.content, row.metadata).join(' '), vectorLiteral(vectors[i] as number[]));
          const p = params.length;
          return `($${p - 2}::bigint, $${p - 1}, $${p}::vector)`;
        });
        await tx.query(
          `UPDATE knowledge_chunks c SET tokens = v.tokens, embedding = v.embedding
           FROM (VALUES ${values.join(', ')}) AS v(id, tokens, embedding) WHERE c.id = v.id`,
          params,
        );
        onProgress?.(Math.min(start + batchSize, rows.length), rows.length);
      }
      // Tokens may have changed with the tokenizer: rebuild the term statistics from scratch.
      await tx.query(`DELETE FROM knowledge_terms`);
      await tx.query(`INSERT INTO knowledge_terms (term, df) VALUES ('', 0)`);
      await this.adjustTermStats(tx, 'true', [], +1);
      if (dimensions > 0) {
        await this.writeMeta(tx, { id: this.provider.id, dimensions: dimensionOf(dimensions) });
        if (rows.length > 0) await this.ensureVectorIndex(tx, dimensions);
      } else {
        await tx.query('DELETE FROM knowledge_meta WHERE key = $1', [EMBEDDINGS_META_KEY]);
      }
      return { chunks: rows.length, dimensions };
    });
    await this.loadMeta();
    return result;
  }

  /** Chunks of one language, for callers that only need to know whether the knowledge base can answer in it. */
  async hasLanguage(lang: Language): Promise<boolean> {
    const r = await this.db.query('SELECT 1 FROM knowledge_chunks WHERE lang = $1 LIMIT 1', [lang]);
    return r.rows.length > 0;
  }
}
