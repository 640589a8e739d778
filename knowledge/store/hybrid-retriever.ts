import { Document } from '@langchain/core/documents';
import { BaseRetriever, type BaseRetrieverInput } from '@langchain/core/retrievers';
import { HashingEmbeddings } from '../embeddings/hashing.js';
import { keywordTokens } from '../text/keywords.js';
import type { Expansion, SynonymTable } from '../text/synonyms.js';
import { toSimplified } from '../text/chinese.js';
import { fuse, idf, LOCAL_SIMILARITY_SCALE, rankByDocument, REMOTE_SIMILARITY_SCALE, type PreferTags, type RetrievalMode, type SimilarityScale, type TermStats } from './fusion.js';
import type { PgKnowledgeStore } from './pg-knowledge-store.js';
import type { ChunkFilter, ChunkMetadata, RetrievalScores } from './types.js';

export interface RetrievedChunk {
  id: string;
  content: string;
  metadata: ChunkMetadata;
  scores: RetrievalScores;
}

export interface SearchOptions {
  k?: number;
  filter?: ChunkFilter;
  mode?: RetrievalMode;
  /** Favour documents carrying these tags when ordering (fusion.ts, `PreferTags`); never excludes anything. */
  prefer?: PreferTags;
}

export interface HybridRetrieverInput extends BaseRetrieverInput {
  store: PgKnowledgeStore;
  /** Results returned. */
  k?: number;
  /** Candidates fetched from each index before fusion. */
  fetchK?: number;
  filter?: ChunkFilter;
  mode?: RetrievalMode;
  similarityScale?: SimilarityScale;
  /** Weight of the vector ranking in the fusion (the keyword ranking weighs 1). */
  vectorWeight?: number;
  /** Query-side synonym expansion (config/synonyms.yaml); none without. */
  synonyms?: SynonymTable;
}

const LOCAL_VECTOR_WEIGHT = 0.5;
// Chunks the keyword index may have to rank per query: bounds its cost on a large knowledge base.
const KEYWORD_CANDIDATE_BUDGET = 1000;

/**
 * The query terms that select keyword candidates: rarest first, while the chunks they occur in stay within the
 * budget (always at least the rarest term). Common terms still count when the candidates are scored (BM25,
 * coverage); they just do not pull in thousands of rows. On a small knowledge base every term fits.
 */
export function candidateTerms(terms: string[], stats: TermStats, budget = KEYWORD_CANDIDATE_BUDGET): string[] {
  const byRarity = [...new Set(terms)].sort((a, b) => (stats.df.get(a) ?? 0) - (stats.df.get(b) ?? 0));
  const chosen: string[] = [];
  let rows = 0;
  for (const term of byRarity) {
    const df = stats.df.get(term) ?? 0;
    if (chosen.length > 0 && rows + df > budget) break;
    chosen.push(term);
    rows += df;
  }
  return chosen;
}

/**
 * Hybrid retrieval as a LangChain retriever: pgvector nearest neighbours and keyword matches over the jieba/word
 * tokens, fused by reciprocal rank, then grouped by document (`rankByDocument`), with language and tag filters. Each Document's metadata carries the chunk
 * metadata plus `chunkId` and `scores`.
 */
export class HybridRetriever extends BaseRetriever {
  lc_namespace = ['kefu', 'knowledge', 'retrievers'];

  readonly store: PgKnowledgeStore;
  readonly k: number;
  readonly fetchK: number;
  readonly filter?: ChunkFilter;
  readonly mode: RetrievalMode;
  readonly similarityScale: SimilarityScale;
  readonly vectorWeight: number;
  readonly synonyms?: SynonymTable;

  constructor(fields: HybridRetrieverInput) {
    super(fields);
    this.store = fields.store;
    this.k = fields.k ?? 6;
    this.fetchK = fields.fetchK ?? 30;
    this.filter = fields.filter;
    this.mode = fields.mode ?? 'hybrid';
    const local = fields.store.provider.id.startsWith('local/');
    this.similarityScale = fields.similarityScale ?? (local ? LOCAL_SIMILARITY_SCALE : REMOTE_SIMILARITY_SCALE);
    // The local featuriser is lexical too, only noisier than BM25: it breaks ties rather than leading (measured in
    // bench/retrieval.ts). A semantic model finds paraphrases keywords miss and gets an equal say.
    this.vectorWeight = fields.vectorWeight ?? (local ? LOCAL_VECTOR_WEIGHT : 1);
    this.synonyms = fields.synonyms;
  }

  /** Typed results with their scores; `options` override the retriever's defaults for one query. */
  async search(query: string, options: SearchOptions = {}): Promise<RetrievedChunk[]> {
    return (await this.retrieve(query, options)).chunks;
  }

  /**
   * `search`, plus the IDF of each query term (the extractive answer weighs sentences with them) and the synonyms the
   * query was expanded with (the extractive answer credits them like the retriever does).
   */
  async retrieve(
    query: string,
    options: SearchOptions = {},
  ): Promise<{ chunks: RetrievedChunk[]; termWeights: Map<string, number>; expansions: Expansion[] }> {
    const k = options.k ?? this.k;
    const filter = options.filter ?? this.filter;
    const mode = options.mode ?? this.mode;
    const normalised = toSimplified(query);
    const terms = keywordTokens(normalised);
    const expansions = this.synonyms?.expand(terms, filter?.lang) ?? [];
    const expanded = [...terms, ...expansions.map((e) => e.term)];
    const useVectors = mode !== 'keyword' && this.store.vectorSearchReady;
    const [queryVector, stats] = await Promise.all([
      this.store.vectorSearchReady ? this.embedQuery(normalised, expansions) : Promise.resolve(undefined),
      this.store.termStats(expanded),
    ]);
    const selective = candidateTerms(expanded, stats);
    const [vectorHits, keywordHits] = await Promise.all([
      useVectors && queryVector ? this.store.vectorSearch(queryVector, this.fetchK, filter) : Promise.resolve([]),
      mode !== 'vector' ? this.store.keywordSearch(selective, this.fetchK, filter, queryVector) : Promise.resolve([]),
    ]);
    const fused = fuse(vectorHits, keywordHits, terms, stats, this.similarityScale, mode, this.vectorWeight, expansions);
    // Single-index modes (benchmarks) show that index's own ranking.
    const chunks = rankByDocument(fused, mode === 'hybrid', undefined, options.prefer)
      .slice(0, k)
      .map((h) => ({ id: h.id, content: h.content, metadata: h.metadata, scores: h.scores }));
    return { chunks, termWeights: new Map(terms.map((t) => [t, idf(t, stats)])), expansions };
  }

  /**
   * The query vector. The local featuriser is lexical, so synonyms are added to it as to the keyword query; a
   * semantic model already places 坏了 near 故障, and its query is the customer's text alone.
   */
  private embedQuery(text: string, expansions: readonly Expansion[]): Promise<number[]> {
    const embeddings = this.store.embeddings;
    return expansions.length > 0 && embeddings instanceof HashingEmbeddings ? embeddings.embedExpandedQuery(text, expansions) : embeddings.embedQuery(text);
  }

  override async _getRelevantDocuments(query: string): Promise<Document[]> {
    return (await this.search(query)).map(
      (c) => new Document({ id: c.id, pageContent: c.content, metadata: { ...c.metadata, chunkId: c.id, scores: c.scores } }),
    );
  }
}
