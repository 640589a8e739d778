import type { Store } from '../core/store/index.js';
import { loadConfig } from '../core/config.js';

/**
 * Runs `fn` on the configured database (DATABASE_URL, else the embedded one in KEFU_DATA_DIR), then closes it. The
 * drivers load only when a command runs, so `kefu --help` stays quick. The embedded database belongs to one process:
 * while `kefu start` runs on it, point these commands at PostgreSQL (DATABASE_URL) instead.
 */
export async function withStore<T>(fn: (store: Store) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const { openDatabase } = await import('../core/db/open.js');
  const { createStore } = await import('../core/store/index.js');
  const db = await openDatabase(config);
  try {
    return await fn(createStore(db));
  } finally {
    await db.close();
  }
}
