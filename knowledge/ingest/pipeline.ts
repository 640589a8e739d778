import { createHash } from 'node:crypto';
import { stripInstructionLines } from '../safety.js';
import { EmbeddingModelMismatchError, type PgKnowledgeStore } from '../store/pg-knowledge-store.js';
import { chunkDocument } from './split.js';
import { expandInputs, isUnderRoot, readSource } from './sources.js';
import { loadDocument } from './loaders/index.js';
import type { LoadedDocument } from './types.js';

// Part of every content hash: bump when loading or splitting changes, so the next run re-ingests everything.
const PIPELINE_VERSION = 'kefu-ingest-1';

export interface IngestOptions {
  /** Remove stored documents under the given folders that are no longer there. */
  prune?: boolean;
  /** Tags added to every chunk of this run. */
  tags?: string[];
  cwd?: string;
  fetchTimeoutMs?: number;
  onEvent?: (event: IngestEvent) => void;
}

export type IngestEvent =
  | { type: 'start'; total: number }
  | { type: 'document'; source: string; status: 'ingested' | 'skipped' | 'failed'; chunks?: number; reason?: string; done: number; total: number }
  | { type: 'warning'; source: string; message: string }
  | { type: 'pruned'; source: string };

export interface IngestSummary {
  ingested: { source: string; chunks: number }[];
  skipped: string[];
  failed: { source: string; reason: string }[];
  pruned: string[];
}

export function contentHash(bytes: Buffer, tags: string[]): string {
  return createHash('sha256').update(PIPELINE_VERSION).update('\0').update([...tags].sort().join(',')).update('\0').update(bytes).digest('hex');
}

function countInstructionLines(doc: LoadedDocument): number {
  const texts = [...doc.sections.map((s) => s.text), ...doc.faq.map((p) => `${p.question}\n${p.answer}`)];
  return texts.reduce((n, t) => n + stripInstructionLines(t).removed, 0);
}

/**
 * Ingests files, folders and URLs into the store. Incremental: a document whose content hash is unchanged is skipped,
 * a changed one is replaced atomically. A file that cannot be read or parsed is reported and skipped; the run goes on.
 */
export async function ingest(store: PgKnowledgeStore, inputs: string[], options: IngestOptions = {}): Promise<IngestSummary> {
  const emit = options.onEvent ?? (() => undefined);
  // The store refuses writes until `kefu reindex`: say so once instead of failing every document.
  if (store.storedModelMismatch) throw new EmbeddingModelMismatchError(store.storedModelMismatch, store.provider.id);
  const tags = [...new Set((options.tags ?? []).map((t) => t.trim().toLowerCase()).filter(Boolean))];
  const summary: IngestSummary = { ingested: [], skipped: [], failed: [], pruned: [] };
  const { items, roots, missing } = await expandInputs(inputs, options.cwd);
  const total = items.length + missing.length;
  let done = 0;
  emit({ type: 'start', total });
  for (const m of missing) {
    summary.failed.push(m);
    emit({ type: 'document', source: m.source, status: 'failed', reason: m.reason, done: ++done, total });
  }

  const stored = await store.documentHashes();
  for (const item of items) {
    try {
      const raw = await readSource(item, { timeoutMs: options.fetchTimeoutMs });
      const hash = contentHash(raw.bytes, tags);
      if (stored.get(item.source) === hash) {
        summary.skipped.push(item.source);
        emit({ type: 'document', source: item.source, status: 'skipped', done: ++done, total });
        continue;
      }
      const doc = await loadDocument(raw);
      const chunks = await chunkDocument(doc, tags);
      if (chunks.length === 0) throw new Error('no text found');
      const suspicious = countInstructionLines(doc);
      if (suspicious > 0) {
        emit({ type: 'warning', source: item.source, message: `${suspicious} line(s) read like instructions to an AI; they are never shown to customers or the model` });
      }
      await store.replaceDocument(
        { source: item.source, hash, kind: doc.kind, title: doc.title, lang: doc.lang, tags: [...new Set([...doc.tags, ...tags])], articleId: doc.articleId, updatedAt: doc.updatedAt },
        chunks,
      );
      summary.ingested.push({ source: item.source, chunks: chunks.length });
      emit({ type: 'document', source: item.source, status: 'ingested', chunks: chunks.length, done: ++done, total });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      summary.failed.push({ source: item.source, reason });
      emit({ type: 'document', source: item.source, status: 'failed', reason, done: ++done, total });
    }
  }

  if (options.prune) {
    const present = new Set(items.map((i) => i.source));
    const gone = [...stored.keys()].filter((source) => !present.has(source) && roots.some((root) => isUnderRoot(source, root)));
    if (gone.length > 0) await store.delete({ sources: gone });
    for (const source of gone) {
      summary.pruned.push(source);
      emit({ type: 'pruned', source });
    }
  }
  return summary;
}
