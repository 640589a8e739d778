import { keywordTokens } from '../text/keywords.js';
import { chunkIndexText, type ChunkMetadata } from './types.js';

/**
 * How many times a heading's tokens count, against once for the body: a BM25F-style field boost done by repetition,
 * since the keyword index holds one token list per chunk. The section heading says what a chunk is about in a few
 * words ("Lost or stolen phone"), where the body mentions many things in passing. The article title is shared by
 * all of an article's chunks, so boosting it does not tell them apart (measured: no gain). An FAQ chunk's title is
 * its question, already also in the body (`Q: …`), so it gets the same boost without extra repetition. Chosen on the
 * dev questions of bench/fixtures/retrieval-questions.jsonl (keyword-only R@1 0.603 → 0.629).
 */
const SECTION_BOOST = 2;

/** The keyword tokens stored for a chunk (space-joined in knowledge_chunks.tokens): heading tokens repeated. */
export function chunkIndexTokens(content: string, metadata: Pick<ChunkMetadata, 'title' | 'section' | 'question'>): string[] {
  const tokens = keywordTokens(chunkIndexText(content, metadata));
  if (metadata.question) return tokens;
  const extra: string[] = [];
  if (metadata.section) for (let i = 1; i < SECTION_BOOST; i++) extra.push(...keywordTokens(metadata.section));
  return [...tokens, ...extra];
}
