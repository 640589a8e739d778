import type { Expansion } from '../text/synonyms.js';
import type { ChunkHit, RetrievalScores } from './types.js';

/** Standard RRF constant: damps the head of each list so one retriever's first place does not decide alone. */
export const RRF_K = 60;
const BM25_K1 = 1.2;
const BM25_B = 0.75;

export interface TermStats {
  total: number;
  df: Map<string, number>;
}

/**
 * How cosine similarity enters the relevance estimate: mapped from [low, high] onto 0..1, with `weight` relative to
 * each of the two term-evidence components. The local hashing featuriser is lexical — the same evidence as the
 * terms, only noisier — so it gets no weight (bench/retrieval.ts measured it lowering the separation of answerable
 * from off-topic questions); a semantic model sees paraphrases the terms miss, and counts like each of them.
 */
export interface SimilarityScale {
  low: number;
  high: number;
  weight: number;
}

export const LOCAL_SIMILARITY_SCALE: SimilarityScale = { low: 0.05, high: 0.45, weight: 0 };
export const REMOTE_SIMILARITY_SCALE: SimilarityScale = { low: 0.2, high: 0.6, weight: 1 };
/** Matched IDF at which the "rare vocabulary shared" component saturates (about two rare terms). */
const MATCHED_IDF_SATURATION = 15;

export function idf(term: string, stats: TermStats): number {
  const n = Math.max(stats.total, 1);
  const df = Math.min(stats.df.get(term) ?? 0, n);
  return Math.log(1 + (n - df + 0.5) / (df + 0.5));
}

export interface ScoredHit extends ChunkHit {
  scores: RetrievalScores;
}

const CJK = /^[\u3400-\u9fff]+$/;

/**
 * The query's terms grouped by concept. jieba's search mode emits a Chinese compound together with the words inside
 * it (有效期 → 有效, 效期, 有效期), so one concept would count three times in BM25 and coverage, and a chunk holding
 * the compound would outweigh one holding a different, rarer word of the question. A Chinese term contained in a
 * longer query term joins that term's group; every other term is a group of its own. Scoring credits each group once,
 * with its best-matching member.
 */
export function termGroups(queryTerms: string[]): string[][] {
  const terms = [...new Set(queryTerms)];
  const compounds = terms.filter((t) => CJK.test(t)).sort((a, b) => b.length - a.length);
  const groups = new Map<string, string[]>();
  for (const term of terms) {
    const owner = CJK.test(term) ? (compounds.find((c) => c.length > term.length && c.includes(term)) ?? term) : term;
    groups.set(owner, [...(groups.get(owner) ?? []), term]);
  }
  return [...groups.values()];
}

/**
 * A concept's members: a bare string is a term of the question (weight 1); a weighted term is a synonym the query
 * was expanded with (text/synonyms.ts), credited at its weight.
 */
export type GroupMember = string | { term: string; weight: number };
export type TermGroup = readonly GroupMember[];

/** `termGroups`, each concept joined by the synonyms expanded from one of its terms. */
export function conceptGroups(queryTerms: string[], expansions: readonly Expansion[] = []): TermGroup[] {
  const groups: GroupMember[][] = termGroups(queryTerms);
  for (const e of expansions) {
    const owner = groups.find((g) => g.includes(e.source));
    if (owner) owner.push({ term: e.term, weight: e.weight });
    else groups.push([{ term: e.term, weight: e.weight }]);
  }
  return groups;
}

const termOf = (m: GroupMember) => (typeof m === 'string' ? m : m.term);

/**
 * The IDF a group's members are credited with. The customer's own terms count their IDF, as without synonyms; the
 * concept weighs its rarest own term. A synonym counts `weight` × its IDF, capped at the concept's, so a rare synonym
 * never outweighs the word the customer used. When none of the customer's words occurs in the knowledge base but a
 * synonym does, the concept is known under that synonym and weighs the synonyms' IDF: a word unseen in the index
 * would otherwise keep the question's coverage low (the off-topic signal) although the topic is there.
 */
function groupIdf(group: TermGroup, stats: TermStats): { concept: number; credit: Map<string, number> } {
  const own = group.filter((m): m is string => typeof m === 'string');
  const synonyms = group.filter((m): m is { term: string; weight: number } => typeof m !== 'string');
  const seenSynonyms = synonyms.filter((m) => (stats.df.get(m.term) ?? 0) > 0);
  const ownSeen = own.some((t) => (stats.df.get(t) ?? 0) > 0);
  const concept = own.length > 0 && (ownSeen || seenSynonyms.length === 0)
    ? Math.max(...own.map((t) => idf(t, stats)))
    : Math.max(0, ...seenSynonyms.map((m) => idf(m.term, stats)));
  const credit = new Map<string, number>();
  for (const t of own) credit.set(t, idf(t, stats));
  for (const m of synonyms) credit.set(m.term, Math.max(credit.get(m.term) ?? 0, m.weight * Math.min(idf(m.term, stats), concept)));
  return { concept, credit };
}

function bm25(groups: readonly TermGroup[], tokens: string[], avgLength: number, stats: TermStats): number {
  const tf = new Map<string, number>();
  for (const t of tokens) tf.set(t, (tf.get(t) ?? 0) + 1);
  const norm = BM25_K1 * (1 - BM25_B + (BM25_B * tokens.length) / Math.max(avgLength, 1));
  let score = 0;
  for (const group of groups) {
    const { credit } = groupIdf(group, stats);
    let best = 0;
    for (const member of group) {
      const term = termOf(member);
      const f = tf.get(term) ?? 0;
      if (f > 0) best = Math.max(best, ((credit.get(term) ?? 0) * f * (BM25_K1 + 1)) / (f + norm));
    }
    score += best;
  }
  return score;
}

/**
 * IDF mass of the query's concepts found in the chunk, and its share of the query's total (1: every concept). A group
 * weighs its rarest member's IDF and is credited with its best member found (a synonym at its weight, `groupIdf`).
 */
export function coverage(groups: readonly TermGroup[], tokens: string[], stats: TermStats): { share: number; matched: number } {
  const present = new Set(tokens);
  let hit = 0;
  let all = 0;
  for (const group of groups) {
    const { concept, credit } = groupIdf(group, stats);
    all += concept;
    hit += Math.max(0, ...group.map(termOf).filter((t) => present.has(t)).map((t) => credit.get(t) ?? 0));
  }
  return { share: all > 0 ? hit / all : 0, matched: hit };
}

/**
 * Absolute evidence that a chunk answers the query, 0..1. RRF orders results but is rank-only — the top hit of a
 * nonsense query gets the same fused score as the top hit of a good one — so the hand-off decision uses this
 * instead: the mean of the IDF-weighted share of the query's terms found in the chunk, the IDF mass found (saturating,
 * so a long question is not punished for its chatter), and — per `scale.weight` — the scaled cosine similarity.
 * The hand-off threshold on it is calibrated by `bench/retrieval.ts`.
 */
export function relevance(similarity: number | null, termCoverage: number, matchedIdf: number, scale: SimilarityScale): number {
  const vocabulary = Math.min(1, matchedIdf / MATCHED_IDF_SATURATION);
  const weight = similarity === null ? 0 : scale.weight;
  const scaled = similarity === null ? 0 : Math.min(1, Math.max(0, (similarity - scale.low) / (scale.high - scale.low)));
  return (termCoverage + vocabulary + weight * scaled) / (2 + weight);
}

export type RetrievalMode = 'hybrid' | 'vector' | 'keyword';

/**
 * Scores every candidate both ways (cosine similarity from the database, BM25 and coverage from its tokens), ranks
 * the union by each, and fuses the two rankings by reciprocal rank, the vector ranking weighted by `vectorWeight`.
 * `expansions` (synonyms of query terms) count in BM25 and coverage at their weight. `mode` keeps one ranking only
 * (benchmarks).
 */
export function fuse(
  vectorHits: ChunkHit[],
  keywordHits: ChunkHit[],
  queryTerms: string[],
  stats: TermStats,
  scale: SimilarityScale,
  mode: RetrievalMode = 'hybrid',
  vectorWeight = 1,
  expansions: readonly Expansion[] = [],
): ScoredHit[] {
  const groups = conceptGroups(queryTerms, expansions);
  const byId = new Map<string, ChunkHit>();
  for (const h of mode === 'keyword' ? keywordHits : mode === 'vector' ? vectorHits : [...vectorHits, ...keywordHits]) {
    const seen = byId.get(h.id);
    byId.set(h.id, seen && seen.similarity !== null ? seen : h);
  }
  const candidates = [...byId.values()];
  const avgLength = candidates.reduce((s, h) => s + h.tokens.length, 0) / Math.max(candidates.length, 1);
  const scored = candidates.map((h) => {
    const b = bm25(groups, h.tokens, avgLength, stats);
    const c = coverage(groups, h.tokens, stats);
    return { hit: h, bm25: b, coverage: c.share, matchedIdf: c.matched };
  });

  const vectorRanks = new Map<string, number>();
  if (mode !== 'keyword') {
    scored
      .filter((s) => s.hit.similarity !== null)
      .sort((a, b) => (b.hit.similarity ?? 0) - (a.hit.similarity ?? 0))
      .forEach((s, i) => vectorRanks.set(s.hit.id, i + 1));
  }
  const keywordRanks = new Map<string, number>();
  if (mode !== 'vector') {
    scored
      .filter((s) => s.bm25 > 0)
      .sort((a, b) => b.bm25 - a.bm25)
      .forEach((s, i) => keywordRanks.set(s.hit.id, i + 1));
  }

  return scored
    .map(({ hit, bm25: b, coverage: c, matchedIdf }) => {
      const vr = vectorRanks.get(hit.id) ?? null;
      const kr = keywordRanks.get(hit.id) ?? null;
      const fused = (vr ? vectorWeight / (RRF_K + vr) : 0) + (kr ? 1 / (RRF_K + kr) : 0);
      return {
        ...hit,
        scores: { fused, document: 0, relevance: relevance(hit.similarity, c, matchedIdf, scale), similarity: hit.similarity, coverage: c, matchedIdf, bm25: b, vectorRank: vr, keywordRank: kr },
      };
    })
    .filter((h) => h.scores.fused > 0)
    .sort((a, b) => b.scores.fused - a.scores.fused || b.scores.relevance - a.scores.relevance);
}

/** Top fused candidates whose relevance counts towards their document's evidence. */
export const DOCUMENT_DEPTH = 10;
/** Weight of a document's further chunks against its best one. */
const FURTHER_CHUNK_SHARE = 0.5;

/** What a chunk's document is for ranking: its article (source file), or the pair itself for an FAQ chunk. */
function documentKey(hit: ScoredHit): string {
  return hit.metadata.kind === 'faq' ? `faq:${hit.id}` : `doc:${hit.metadata.source}`;
}

/**
 * Documents to favour, not to filter on: chunks carrying any of `tags` have `weight` added to their document's
 * evidence when documents are ordered. The answer chain passes the routed intent's tag (`intent:<name>`, set in the
 * articles' front matter), so a question the intent model recognised as billing ranks the billing articles first when
 * the words alone leave it close, while a strong lexical match elsewhere still wins.
 */
export interface PreferTags {
  tags: readonly string[];
  weight: number;
}

function hasAnyTag(hit: ScoredHit, tags: readonly string[]): boolean {
  return tags.some((t) => hit.metadata.tags.includes(t));
}

/**
 * Re-orders fused chunks by the evidence for their document: an article several of whose chunks match the question
 * is more likely its topic than one with a single chunk that happens to share more words (CombSUM-style, damped so a
 * long article with many weak matches does not simply win on volume). A document scores its best chunk's relevance
 * plus FURTHER_CHUNK_SHARE × the relevance of its other chunks among the top `depth` fused candidates, capped at 1.
 * Documents are ordered by that evidence; within a document, and below the depth, chunks keep their fused order.
 * On the dev questions of bench/retrieval.ts it raised hybrid R@1 from 0.612 to 0.716; counting each matched word
 * once per document instead (coverage over the union of its chunks' words) reached only 0.655.
 * `reorder: false` only fills in `scores.document` (single-index benchmark modes keep their own ranking); `prefer`
 * favours documents with given tags (see `PreferTags`).
 */
export function rankByDocument(hits: ScoredHit[], reorder = true, depth = DOCUMENT_DEPTH, prefer?: PreferTags): ScoredHit[] {
  const evidence = new Map<string, { best: number; sum: number }>();
  for (const h of hits.slice(0, depth)) {
    const key = documentKey(h);
    const e = evidence.get(key) ?? { best: 0, sum: 0 };
    evidence.set(key, { best: Math.max(e.best, h.scores.relevance), sum: e.sum + h.scores.relevance });
  }
  const scoreOf = (h: ScoredHit) => {
    const e = evidence.get(documentKey(h));
    return e ? Math.min(1, e.best + FURTHER_CHUNK_SHARE * (e.sum - e.best)) : h.scores.relevance;
  };
  const scored = hits.map((h) => ({ ...h, scores: { ...h.scores, document: scoreOf(h) } }));
  if (!reorder) return scored;
  const inTop = (i: number) => (i < depth ? 1 : 0);
  // The preference only orders documents; `scores.document` stays the retrieval evidence alone (the answer chain
  // decides itself how much an intent match adds to its confidence).
  const bonus = (h: ScoredHit) => (prefer && hasAnyTag(h, prefer.tags) ? prefer.weight : 0);
  return scored
    .map((h, i) => ({ h, i, key: h.scores.document + bonus(h) }))
    .sort((a, b) => inTop(b.i) - inTop(a.i) || b.key - a.key || a.i - b.i)
    .map(({ h }) => h);
}
