import { fileURLToPath } from 'node:url';
import { runKefu, type KefuRun } from './kefu-cli.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export type CliRun = KefuRun;

/**
 * Runs `kefu ingest | ask | reindex` as the real CLI, from the repository root so relative knowledge paths resolve,
 * with database and embedding settings taken only from `env` (the developer's own must not leak in).
 */
export function runKnowledgeCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const cleared = Object.fromEntries(
    Object.keys(process.env).filter((k) => /^(EMBEDDINGS_|DATABASE_)/.test(k)).map((k) => [k, undefined]),
  );
  return runKefu(args, { env: { ...cleared, LOG_LEVEL: 'warn', ...env }, cwd: ROOT });
}
