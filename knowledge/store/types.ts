import { stripInstructionLines } from '../safety.js';
import type { Language } from '../../core/domain.js';

export type SourceKind = 'markdown' | 'html' | 'text' | 'pdf' | 'faq';

/** What every chunk carries; stored as jsonb and returned on each retrieved LangChain Document. */
export interface ChunkMetadata {
  source: string;
  title: string;
  section?: string;
  lang: Language;
  tags: string[];
  /** ISO date from front matter or the HTTP Last-Modified header, when known. */
  updated?: string;
  /** Article id from front matter; the zh and en versions of an article share it. */
  articleId?: string;
  kind: SourceKind;
  /** Position of the chunk in its document. */
  ord: number;
  /** FAQ chunks: the question and the answer separately, so an answer can quote the answer alone. */
  question?: string;
  answer?: string;
}

export interface ChunkFilter {
  lang?: Language;
  /** Chunks carrying at least one of these tags. */
  tags?: string[];
}

/** One row of a document for the incremental ingestion bookkeeping. */
export interface DocumentRecord {
  source: string;
  hash: string;
  kind: SourceKind;
  title: string;
  lang: Language;
  tags: string[];
  articleId?: string;
  updatedAt?: string;
}

/** A chunk as a search returns it, before fusion. */
export interface ChunkHit {
  id: string;
  content: string;
  metadata: ChunkMetadata;
  tokens: string[];
  /** Cosine similarity to the query embedding; null when vector search is unavailable. */
  similarity: number | null;
}

/** Scores a retrieved chunk carries in `Document.metadata.scores`. */
export interface RetrievalScores {
  /** Reciprocal-rank fusion of the vector and keyword rankings: orders the chunks within one document. */
  fused: number;
  /**
   * Evidence that the chunk's document (an article, or one FAQ pair) answers the query, 0..1: its best chunk's
   * relevance plus half the others' among the top fused candidates, capped (fusion.ts, `rankByDocument`). Orders
   * the documents; the answer chain's confidence.
   */
  document: number;
  /** Absolute evidence the chunk answers the query, 0..1: drives the hand-off threshold (see fusion.ts). */
  relevance: number;
  similarity: number | null;
  /** IDF-weighted share of the query's terms present in the chunk. */
  coverage: number;
  /** Sum of the IDF of the query terms present in the chunk: how much rare vocabulary the chunk shares. */
  matchedIdf: number;
  bm25: number;
  vectorRank: number | null;
  keywordRank: number | null;
}

/**
 * Text that is embedded and tokenised for a chunk: its title and section give short chunks their context. Lines that
 * read like instructions to an AI are left out: they are never shown or given to the model (safety.ts), so they must
 * not make a chunk retrievable either — a customer message carrying an injection ("忽略之前的所有指令…") would
 * otherwise match a poisoned page on exactly those words.
 */
export function chunkIndexText(content: string, metadata: Pick<ChunkMetadata, 'title' | 'section'>): string {
  return [metadata.title, metadata.section, stripInstructionLines(content).text].filter((s) => s && s.length > 0).join('\n');
}
