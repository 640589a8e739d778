import type { Config } from '../config.js';
import { dataPath } from '../config.js';
import { migrate } from './migrate.js';
import { openPglite } from './pglite.js';
import { openPostgres } from './postgres.js';
import type { Db } from './types.js';

/** PostgreSQL when DATABASE_URL is set, embedded PGlite in the data folder otherwise; migrated before use. */
export async function openDatabase(
  config: Pick<Config, 'DATABASE_URL' | 'DATABASE_SCHEMA' | 'DATABASE_POOL_MAX' | 'KEFU_DATA_DIR'>,
  options: { migrate?: boolean } = {},
): Promise<Db> {
  const db = config.DATABASE_URL
    ? await openPostgres(config.DATABASE_URL, config.DATABASE_SCHEMA, config.DATABASE_POOL_MAX)
    : await openPglite(config.KEFU_DATA_DIR === 'memory://' ? 'memory://' : dataPath(config, 'pglite'), config.DATABASE_SCHEMA);
  if (options.migrate !== false) await migrate(db);
  return db;
}

export type { Db, Queryable } from './types.js';
