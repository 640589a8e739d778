import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../core/config.js';
import { migrate } from '../../core/db/migrate.js';
import { openPglite } from '../../core/db/pglite.js';
import { openPostgres } from '../../core/db/postgres.js';
import type { Db } from '../../core/db/types.js';
import { createEmbeddingProvider, type EmbeddingProvider } from '../../knowledge/embeddings/index.js';
import { HybridRetriever } from '../../knowledge/store/hybrid-retriever.js';
import { PgKnowledgeStore } from '../../knowledge/store/pg-knowledge-store.js';
import type { KnowledgeLogger } from '../../knowledge/log.js';
import { loadSynonyms } from '../../knowledge/text/synonyms.js';

export type DbKind = 'pglite' | 'postgres';

/** Database kinds to run against: PGlite always, PostgreSQL + pgvector when DATABASE_URL is set (CI). */
export const DB_KINDS: DbKind[] = process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

export interface TestDb {
  db: Db;
  cleanup(): Promise<void>;
}

/** A migrated database of its own: in-memory PGlite, or a fresh random schema on the DATABASE_URL server. */
export async function openTestDb(kind: DbKind): Promise<TestDb> {
  const schema = `t_kb_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  if (kind === 'pglite') {
    const db = await openPglite('memory://', schema);
    await migrate(db);
    return { db, cleanup: () => db.close() };
  }
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set');
  const db = await openPostgres(url, schema, 4);
  await migrate(db);
  return {
    db,
    async cleanup() {
      await db.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await db.close();
    },
  };
}

/** Records warnings so a test can assert on them. */
export function recordingLogger(): KnowledgeLogger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, warn: (_o, msg) => void warnings.push(msg), info: () => undefined };
}

/**
 * Store and retriever with the deterministic local embeddings unless a provider is given, and the shipped synonyms
 * (config/synonyms.yaml), as the platform runs by default.
 */
export async function openTestKnowledge(db: Db, provider: EmbeddingProvider = createEmbeddingProvider(loadConfig({})), logger?: KnowledgeLogger) {
  const store = await PgKnowledgeStore.initialize(db, provider, { logger });
  return { store, retriever: new HybridRetriever({ store, synonyms: await loadSynonyms() }) };
}
