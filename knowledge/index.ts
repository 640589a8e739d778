import { fileURLToPath } from 'node:url';
import type { Config } from '../core/config.js';
import type { Db } from '../core/db/types.js';
import type { Answerer } from './answerer.js';
import type { KnowledgeLogger } from './log.js';
import { createRagAnswerer } from './answer/chain.js';
import { createChatModel } from './answer/llm.js';
import { createEmbeddingProvider } from './embeddings/index.js';
import { ingest, type IngestSummary } from './ingest/pipeline.js';
import { isUnderRoot, sourceName } from './ingest/sources.js';
import { HybridRetriever } from './store/hybrid-retriever.js';
import { PgKnowledgeStore } from './store/pg-knowledge-store.js';
import { configuredSynonyms } from './text/synonyms.js';

export const DEMO_KNOWLEDGE_DIR = fileURLToPath(new URL('./demo', import.meta.url));
/** Demo sources are named relative to the package root, whatever the working directory, so restarts match them. */
const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));

export type KnowledgeConfig = Pick<
  Config,
  | 'EMBEDDINGS_PROVIDER'
  | 'EMBEDDINGS_MODEL'
  | 'OPENAI_API_KEY'
  | 'OPENAI_BASE_URL'
  | 'LLM_MODEL'
  | 'LLM_TIMEOUT'
  | 'KNOWLEDGE_MIN_CONFIDENCE'
  | 'SYNONYMS_FILE'
>;

export interface KnowledgeDeps {
  db: Db;
  logger?: KnowledgeLogger;
}

export interface KnowledgeBase {
  store: PgKnowledgeStore;
  retriever: HybridRetriever;
}

/**
 * The store over the configured embedding provider, and its hybrid retriever with the configured synonyms (an invalid
 * synonyms file stops the start with the line to fix, as the routing table does).
 */
export async function openKnowledgeBase(config: KnowledgeConfig, deps: KnowledgeDeps): Promise<KnowledgeBase> {
  const synonyms = await configuredSynonyms(config.SYNONYMS_FILE);
  const store = await PgKnowledgeStore.initialize(deps.db, createEmbeddingProvider(config), { logger: deps.logger });
  return { store, retriever: new HybridRetriever({ store, synonyms }) };
}

/** The answerer the platform runs with: the RAG chain over the knowledge base, with the model when configured. */
export async function createDefaultAnswerer(config: KnowledgeConfig, deps: KnowledgeDeps): Promise<Answerer> {
  const { retriever } = await openKnowledgeBase(config, deps);
  return createRagAnswerer({
    retriever,
    llm: createChatModel(config),
    llmTimeoutMs: config.LLM_TIMEOUT,
    minConfidence: config.KNOWLEDGE_MIN_CONFIDENCE,
    logger: deps.logger,
  });
}

/**
 * Ingests the demo knowledge base when the knowledge base is empty, and keeps it current on later starts while it
 * still holds the demo (unchanged files are skipped by hash, so this costs a few queries; a demo embedded by an
 * older local featuriser is re-embedded). A knowledge base with other content is left alone. Failures are logged:
 * a platform without demo content still starts.
 */
export async function seedDemoKnowledge(config: KnowledgeConfig, deps: KnowledgeDeps): Promise<IngestSummary | undefined> {
  try {
    const { store } = await openKnowledgeBase(config, deps);
    const demoRoot = sourceName(DEMO_KNOWLEDGE_DIR, PACKAGE_ROOT);
    const sources = [...(await store.documentHashes()).keys()];
    if (sources.length > 0 && !sources.some((s) => isUnderRoot(s, demoRoot))) return undefined;
    const stale = store.storedModelMismatch;
    if (stale) {
      // The demo embedded by an older version of the local featuriser: re-embedding it is local and takes seconds,
      // so do it rather than leave vector search off until someone runs `kefu reindex`. Anything else waits for that.
      const local = (id: string) => id.startsWith('local/');
      if (!local(stale.id) || !local(store.provider.id) || !sources.every((s) => isUnderRoot(s, demoRoot))) return undefined;
      const { chunks } = await store.reindex();
      deps.logger?.info({ from: stale.id, to: store.provider.id, chunks }, 'demo knowledge base re-embedded with the current local featuriser');
    }
    const summary = await ingest(store, [DEMO_KNOWLEDGE_DIR], { prune: true, cwd: PACKAGE_ROOT });
    if (summary.ingested.length > 0 || summary.failed.length > 0 || summary.pruned.length > 0) {
      deps.logger?.info(
        { ingested: summary.ingested.length, skipped: summary.skipped.length, failed: summary.failed, pruned: summary.pruned.length },
        'demo knowledge base ingested',
      );
    }
    return summary;
  } catch (err) {
    deps.logger?.warn({ err }, 'could not ingest the demo knowledge base');
    return undefined;
  }
}
