-- Knowledge base: ingested documents, their chunks (text, metadata, keyword tokens, embedding) and term statistics.
--
-- The embedding column is an untyped `vector`: its dimension follows the configured embedding provider (512 for the
-- local featuriser, 1536 for text-embedding-3-small, …), which a migration cannot know. The store creates the HNSW
-- index for the configured dimension when it opens (or on the first write): an expression index on
-- `embedding::vector(N)` (cosine), partial on `vector_dims(embedding) = N`; queries use the same cast and condition,
-- so the planner picks it. All chunks share one vector space at a time (recorded in knowledge_meta);
-- `kefu reindex` re-embeds everything and swaps the index when the provider changes.

CREATE TABLE knowledge_meta (
  key         text PRIMARY KEY,
  value       jsonb NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE knowledge_documents (
  id           bigserial PRIMARY KEY,
  -- File path (relative to the working directory when inside it) or URL; the identity used for re-ingestion.
  source       text NOT NULL UNIQUE,
  -- sha256 of the raw content plus ingestion options; unchanged hash → the document is skipped.
  hash         text NOT NULL,
  kind         text NOT NULL,
  title        text NOT NULL,
  lang         text NOT NULL CHECK (lang IN ('zh', 'en')),
  tags         text[] NOT NULL DEFAULT '{}',
  -- Article id from front matter: the same article in both languages shares it.
  article_id   text,
  updated_at   timestamptz,
  ingested_at  timestamptz NOT NULL DEFAULT now(),
  chunk_count  integer NOT NULL DEFAULT 0
);

CREATE TABLE knowledge_chunks (
  id           bigserial PRIMARY KEY,
  document_id  bigint NOT NULL REFERENCES knowledge_documents(id) ON DELETE CASCADE,
  ord          integer NOT NULL,
  content      text NOT NULL,
  metadata     jsonb NOT NULL,
  -- Copied from metadata for filtering: an FAQ file mixes languages, so language is per chunk, not per document.
  lang         text NOT NULL CHECK (lang IN ('zh', 'en')),
  tags         text[] NOT NULL DEFAULT '{}',
  -- Pre-segmented search tokens (jieba for Chinese, stemmed words for English), space-separated.
  tokens       text NOT NULL,
  tsv          tsvector GENERATED ALWAYS AS (to_tsvector('simple', tokens)) STORED,
  embedding    vector,
  UNIQUE (document_id, ord)
);
CREATE INDEX knowledge_chunks_tsv ON knowledge_chunks USING gin (tsv);
CREATE INDEX knowledge_chunks_lang ON knowledge_chunks (lang);
CREATE INDEX knowledge_chunks_tags ON knowledge_chunks USING gin (tags);

-- Document frequency of every token, kept in step with the chunks by the store, for IDF in keyword scoring.
-- The row with term '' (never a token) holds the number of chunks.
CREATE TABLE knowledge_terms (
  term  text PRIMARY KEY,
  df    integer NOT NULL
);
INSERT INTO knowledge_terms (term, df) VALUES ('', 0);
