import { randomUUID } from 'node:crypto';
import { openDatabase } from '../../core/db/open.js';
import type { Db } from '../../core/db/types.js';

export type DbKind = 'pglite' | 'postgres';

/** The databases a storage test runs on: PGlite always, PostgreSQL too when DATABASE_URL is set (CI sets it). */
export const DATABASES: DbKind[] = process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

/** A fresh, migrated database: in-memory PGlite, or a schema of its own on PostgreSQL. */
export function openTestDatabase(kind: DbKind, options: { migrate?: boolean } = {}): Promise<Db> {
  return openDatabase(
    {
      DATABASE_URL: kind === 'postgres' ? process.env.DATABASE_URL : undefined,
      DATABASE_SCHEMA: `t_${randomUUID().replace(/-/g, '').slice(0, 12)}`,
      DATABASE_POOL_MAX: 5,
      KEFU_DATA_DIR: 'memory://',
    },
    options,
  );
}
