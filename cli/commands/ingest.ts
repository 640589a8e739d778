import type { Command } from 'commander';
import { Option } from 'commander';
import { loadConfig, type Config } from '../../core/config.js';
import { openDatabase } from '../../core/db/open.js';
import type { Db } from '../../core/db/types.js';
import type { Language } from '../../core/domain.js';
import { createRagAnswerer } from '../../knowledge/answer/chain.js';
import { createChatModel } from '../../knowledge/answer/llm.js';
import { openKnowledgeBase, seedDemoKnowledge } from '../../knowledge/index.js';
import { stderrLogger, type KnowledgeLogger } from '../../knowledge/log.js';
import { loadRoutingIntentModel, routingDisabled } from '../../knowledge/routing/setup.js';
import { ingest } from '../../knowledge/ingest/pipeline.js';
import { createProgressReporter, formatSummary } from '../../knowledge/ingest/progress.js';
import { EmbeddingModelMismatchError } from '../../knowledge/store/pg-knowledge-store.js';
import { UsageError } from '../errors.js';

async function withDatabase<T>(fn: (config: Config, db: Db, logger: KnowledgeLogger) => Promise<T>): Promise<T> {
  const config = loadConfig();
  // Warnings go to stderr so stdout carries only the command's output.
  const logger = stderrLogger();
  const db = await openDatabase(config);
  try {
    return await fn(config, db, logger);
  } catch (err) {
    if (err instanceof EmbeddingModelMismatchError) throw new UsageError(err.message);
    throw err;
  } finally {
    await db.close();
  }
}

const parseTags = (value: string) => value.split(',').map((t) => t.trim()).filter(Boolean);

/** `kefu ingest`, `kefu ask` and `kefu reindex`: the knowledge base from the command line. */
export function register(program: Command): void {
  program
    .command('ingest')
    .description('add files, folders or URLs to the knowledge base (Markdown, HTML, text, PDF, FAQ CSV/JSON); unchanged documents are skipped')
    .argument('<sources...>', 'files, folders (recursive) or http(s) URLs')
    .option('--prune', 'remove stored documents under the given folders that no longer exist')
    .option('--tags <list>', 'comma-separated tags added to every chunk', parseTags)
    .action(async (sources: string[], opts: { prune?: boolean; tags?: string[] }) => {
      const summary = await withDatabase(async (config, db, logger) => {
        const { store } = await openKnowledgeBase(config, { db, logger });
        return ingest(store, sources, {
          prune: opts.prune,
          tags: opts.tags,
          onEvent: createProgressReporter(process.stderr),
        });
      });
      process.stdout.write(`${formatSummary(summary)}\n`);
      // Partial success still exits non-zero, so a script running `kefu ingest docs/ && deploy` notices the bad file.
      if (summary.failed.length > 0) process.exitCode = 1;
    });

  program
    .command('ask')
    .description('answer a question from the knowledge base, with citations (uses the LLM when OPENAI_BASE_URL/OPENAI_API_KEY is set)')
    .argument('<question>', 'the customer question')
    .addOption(new Option('--lang <lang>', 'language for a question whose language cannot be told from its text').choices(['zh', 'en']))
    .option('--json', 'print the whole answer result as JSON')
    .action(async (question: string, opts: { lang?: Language; json?: boolean }) => {
      if (!question.trim()) throw new UsageError('the question is empty');
      const result = await withDatabase(async (config, db, logger) => {
        const { store, retriever } = await openKnowledgeBase(config, { db, logger });
        if (config.KEFU_SEED_DEMO && (await store.countDocuments()) === 0) await seedDemoKnowledge(config, { db, logger });
        const answerer = createRagAnswerer({
          retriever,
          llm: createChatModel(config),
          llmTimeoutMs: config.LLM_TIMEOUT,
          minConfidence: config.KNOWLEDGE_MIN_CONFIDENCE,
          logger,
        });
        // The intent the platform's router would pass along (knowledge/routing): the answer ranks and trusts articles
        // tagged with it, so the CLI shows what a customer would get.
        const intent = routingDisabled(config) ? null : (await loadRoutingIntentModel(config, logger)).model.classify(question).intent;
        return answerer.answer({ text: question, language: opts.lang, intent });
      });
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        return;
      }
      const lines = [result.text, ''];
      for (const c of result.citations) lines.push(`[${c.index}] ${c.title} — ${c.source}${c.section ? ` § ${c.section}` : ''}`);
      process.stdout.write(`${lines.join('\n').trimEnd()}\n`);
      process.stderr.write(`confidence ${result.confidence.toFixed(2)}${result.handoffSuggested ? ', hand-off suggested' : ''}\n`);
    });

  program
    .command('reindex')
    .description('re-embed every chunk with the configured embedding model (after changing EMBEDDINGS_PROVIDER or EMBEDDINGS_MODEL)')
    .action(async () => {
      const result = await withDatabase(async (config, db) => {
        const { store } = await openKnowledgeBase(config, { db });
        const tty = process.stderr.isTTY === true;
        const started = Date.now();
        const r = await store.reindex((done, total) => {
          const eta = done > 0 ? Math.round(((Date.now() - started) / done) * (total - done) / 1000) : 0;
          process.stderr.write(tty ? `\r\x1b[2Kre-embedding ${done}/${total} chunks, ETA ${eta}s` : `re-embedded ${done}/${total} chunks\n`);
        });
        if (tty) process.stderr.write('\n');
        return { ...r, model: store.provider.id };
      });
      process.stdout.write(`re-embedded ${result.chunks} chunk(s) with ${result.model} (${result.dimensions} dimensions)\n`);
    });
}
